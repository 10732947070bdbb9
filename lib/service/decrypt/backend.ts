/**
 * Which backend decrypts, as configured: OpenSSL 3 where its libcrypto
 * loads (`auto`, the default), OpenSSL or nothing (`openssl`), or
 * `node:crypto` (`node`), on each request thread. Under `auto` a missing or too old
 * libcrypto falls back to `node:crypto`, with a warning that says why.
 *
 * @example
 * ```ts
 * import { resolveThreadCrypto } from "./backend.ts";
 *
 * const crypto = resolveThreadCrypto(
 *   {
 *     cryptoBackend: "auto",
 *     libcrypto: undefined,
 *     preparedKeys: 0,
 *     preparedKeySeconds: 10,
 *   },
 *   { warn: (event, fields) => console.warn(event, fields) },
 * );
 * crypto.name; // "openssl-3.0.19", or "node"
 * ```
 * @module
 */

import { LibcryptoUnavailable, loadLibcrypto } from "../../crypto/mod.ts";

/** How the backend is chosen: the runtime's configuration has these fields. */
export interface DecryptBackendOptions {
  /** `auto` (OpenSSL, else node:crypto), `openssl` or `node`. */
  readonly cryptoBackend: "auto" | "openssl" | "node";
  /** Path of libcrypto; `undefined` searches the usual places. */
  readonly libcrypto: string | undefined;
  /** Prepared keys kept (OpenSSL only); 0 keeps none. */
  readonly preparedKeys: number;
  /** How long a prepared key is kept, in seconds. */
  readonly preparedKeySeconds: number;
}

/** Where the fallback's warning goes (the runtime's logger fits). */
export interface DecryptBackendLog {
  /** One warning event with its fields. */
  warn(event: string, fields: Record<string, string>): void;
}

/** What a request thread opens to decrypt: OpenSSL by path, or node:crypto. */
export type ThreadCryptoSetup =
  | {
    readonly kind: "openssl";
    readonly libcrypto: string;
    readonly preparedKeys: number;
    readonly preparedKeySeconds: number;
  }
  | { readonly kind: "node" };

/** What the request threads decrypt with, as resolved at start-up. */
export interface ThreadCrypto {
  /** For logs, metrics and `ping`: `openssl-3.x.y` or `node`. */
  readonly name: string;
  /** What each request thread opens. */
  readonly setup: ThreadCryptoSetup;
}

/**
 * Resolves the configured backend for the request threads: libcrypto is
 * opened here once, to know that it loads (under `auto`, a missing or too
 * old one falls back to `node:crypto` with a warning), and each thread opens
 * it again by the path found.
 */
export function resolveThreadCrypto(
  config: DecryptBackendOptions,
  log: DecryptBackendLog,
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
