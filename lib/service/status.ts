/**
 * The extra fields of the `ping` reply at detail `full`: the key pool, the
 * decryption workers and the process's memory.
 *
 * @example
 * ```ts
 * import { KeyPool } from "./key_pool.ts";
 * import { KeyService } from "./key_service.ts";
 * import { poolStatus } from "./status.ts";
 *
 * const keyPool = new KeyPool({ size: 4 });
 * const service = new KeyService({
 *   status: poolStatus(keyPool, { name: "node", concurrency: 2 }),
 *   pingDetail: "full",
 * });
 * // ping: {...,"pool":{"depth":..,"size":4,"generating":..,"expired":0},"workers":2,"crypto":"node",...}
 * ```
 * @module
 */

import type { KeyPool } from "./key_pool.ts";
import type { DecryptBackend } from "./types.ts";
import type { PoolStatus } from "../contract/mod.ts";

/** What `ping` adds to its reply at detail `full`: the contract's shape. */
export type { PoolStatus };

/** A status function for `KeyService`'s `status` option. */
export function poolStatus(
  keyPool: KeyPool,
  decryption: Pick<DecryptBackend, "name" | "concurrency">,
): () => PoolStatus {
  return () => {
    const memory = Deno.memoryUsage();
    return {
      pool: {
        depth: keyPool.depth,
        size: keyPool.size,
        generating: keyPool.generating,
        expired: keyPool.expired,
      },
      workers: decryption.concurrency,
      crypto: decryption.name,
      rss_bytes: memory.rss,
      heap_used_bytes: memory.heapUsed,
    };
  };
}
