/**
 * The extra fields of the `ping` reply: the key pool, the decryption
 * workers and the process's memory.
 *
 * @example
 * ```ts
 * import { DecryptPool } from "./decrypt_pool.ts";
 * import { KeyPool } from "./key_pool.ts";
 * import { KeyService } from "./key_service.ts";
 * import { poolStatus } from "./status.ts";
 *
 * const keyPool = new KeyPool({ size: 4 });
 * const decryptPool = new DecryptPool({ size: 2 });
 * const service = new KeyService({ status: poolStatus(keyPool, decryptPool) });
 * // ping: {"status":"ok",...,"pool":{"depth":..,"size":4,"generating":..},"workers":2,...}
 * ```
 * @module
 */

import type { DecryptPool } from "./decrypt_pool.ts";
import type { KeyPool } from "./key_pool.ts";

/** What `ping` adds to its reply, read afresh on each call. */
export type PoolStatus = {
  /** The key pool: pairs ready, its configured size, generations running. */
  readonly pool: {
    readonly depth: number;
    readonly size: number;
    readonly generating: number;
  };
  /** Decryption workers. */
  readonly workers: number;
  /** Resident set size of the process, in bytes. */
  readonly rss_bytes: number;
  /** Bytes used on the main JavaScript heap. */
  readonly heap_used_bytes: number;
};

/** A status function for `KeyService`'s `status` option. */
export function poolStatus(
  keyPool: KeyPool,
  decryptPool: DecryptPool,
): () => PoolStatus {
  return () => {
    const memory = Deno.memoryUsage();
    return {
      pool: {
        depth: keyPool.depth,
        size: keyPool.size,
        generating: keyPool.generating,
      },
      workers: decryptPool.size,
      rss_bytes: memory.rss,
      heap_used_bytes: memory.heapUsed,
    };
  };
}
