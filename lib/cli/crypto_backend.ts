/**
 * Which backend decrypts, as configured: OpenSSL 3 where its libcrypto
 * loads (`auto`, the default), OpenSSL or nothing (`openssl`), or
 * `node:crypto` on worker threads (`node`). Under `auto` a missing or too old
 * libcrypto falls back to `node:crypto`, with a warning that says why.
 *
 * @example
 * ```ts
 * import { startDecryptBackend } from "./crypto_backend.ts";
 * import { Logger } from "./log.ts";
 *
 * const backend = startDecryptBackend(
 *   {
 *     cryptoBackend: "auto",
 *     libcrypto: undefined,
 *     workers: 2,
 *     preparedKeys: 0,
 *     preparedKeySeconds: 10,
 *   },
 *   new Logger("info"),
 * );
 * backend.name; // "openssl-3.0.19", or "node"
 * backend.close();
 * ```
 * @module
 */

import { LibcryptoUnavailable, loadLibcrypto } from "../crypto/mod.ts";
import { DecryptPool } from "../service/decrypt_pool.ts";
import { OpenSslBackend } from "../service/openssl_backend.ts";
import type { DecryptBackend } from "../service/types.ts";
import type { Logger } from "./log.ts";
import type { Config } from "./options.ts";
import type { ThreadSetup } from "./_thread_protocol.ts";

/**
 * Starts the configured backend. Throws `LibcryptoUnavailable` when
 * `openssl` was asked for and cannot be had.
 */
export function startDecryptBackend(
  config: Pick<
    Config,
    | "cryptoBackend"
    | "libcrypto"
    | "workers"
    | "preparedKeys"
    | "preparedKeySeconds"
  >,
  log: Logger,
): DecryptBackend {
  if (config.cryptoBackend !== "node") {
    try {
      return new OpenSslBackend(
        loadLibcrypto(config.libcrypto),
        config.workers,
        config.preparedKeys === 0 ? undefined : {
          size: config.preparedKeys,
          lifetimeMs: config.preparedKeySeconds * 1000,
        },
      );
    } catch (error) {
      if (
        config.cryptoBackend === "openssl" ||
        !(error instanceof LibcryptoUnavailable)
      ) {
        throw error;
      }
      log.warn("libcrypto-unavailable", {
        reason: error.message,
        fallback: "node",
      });
    }
  }
  return new DecryptPool({ size: config.workers });
}

/** What the request threads decrypt with, as resolved at start-up. */
export interface ThreadCrypto {
  /** For logs, metrics and `ping`: `openssl-3.x.y` or `node`. */
  readonly name: string;
  /** What each request thread opens. */
  readonly setup: ThreadSetup["crypto"];
}

/**
 * Resolves the configured backend for the request threads, as
 * {@linkcode startDecryptBackend} does (the same fallback and warning):
 * libcrypto is opened here once, to know that it loads, and each thread
 * opens it again by the path found.
 */
export function resolveThreadCrypto(
  config: Pick<
    Config,
    "cryptoBackend" | "libcrypto" | "preparedKeys" | "preparedKeySeconds"
  >,
  log: Logger,
): ThreadCrypto {
  if (config.cryptoBackend !== "node") {
    try {
      const libcrypto = loadLibcrypto(config.libcrypto);
      return {
        name: `openssl-${libcrypto.version}`,
        setup: {
          kind: "openssl",
          libcrypto: libcrypto.path,
          preparedKeys: config.preparedKeys,
          preparedKeySeconds: config.preparedKeySeconds,
        },
      };
    } catch (error) {
      if (
        config.cryptoBackend === "openssl" ||
        !(error instanceof LibcryptoUnavailable)
      ) {
        throw error;
      }
      log.warn("libcrypto-unavailable", {
        reason: error.message,
        fallback: "node",
      });
    }
  }
  return { name: "node", setup: { kind: "node" } };
}
