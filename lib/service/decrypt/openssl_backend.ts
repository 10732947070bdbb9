/**
 * Decryption in OpenSSL (libcrypto 3 through FFI), as a
 * {@linkcode DecryptBackend}: each private-key operation runs on Deno's
 * blocking-thread pool, at most `concurrency` at once. That pool (32
 * threads) is shared with the transport's `zmq_poll` and with WebCrypto; a
 * flood of decryptions waits here, in order, instead of filling it and
 * stalling the socket (the burst freeze found in v1).
 *
 * @example
 * ```ts
 * import { loadLibcrypto } from "../../crypto/mod.ts";
 * import { OpenSslBackend } from "./openssl_backend.ts";
 *
 * const backend = new OpenSslBackend(loadLibcrypto(), 2);
 * backend.name; // "openssl-3.0.19"
 * ```
 * @module
 */

import { encryptWith, type Libcrypto } from "../../crypto/mod.ts";
import { InternalError } from "../errors.ts";
import {
  PreparedKeyCache,
  type PreparedKeyCacheOptions,
  StoredKeyCache,
} from "./prepared_keys.ts";
import type {
  DecryptBackend,
  Decryptor,
  Encryptor,
  StoredDecryptor,
} from "../types.ts";
import { WorkLimiter } from "../work_limiter.ts";

/** Keys up to this size (bytes of modulus) are encrypted on the calling thread. */
const ON_THREAD_MAX_BYTES = 256;

/** OpenSSL decryption, bounded. */
export class OpenSslBackend implements DecryptBackend {
  readonly name: string;
  readonly concurrency: number;
  readonly decrypt: Decryptor;
  readonly encrypt: Encryptor;
  readonly decryptStored: StoredDecryptor;
  readonly #cache: PreparedKeyCache | undefined;
  readonly #stored: StoredKeyCache;
  #closed = false;

  /**
   * Decrypts with `libcrypto`, `concurrency` at once (at least one); with
   * `preparedKeys`, through a cache of keys prepared in OpenSSL (opt-in).
   * Keystore versions are held prepared, `storedKeys` at most.
   */
  constructor(
    libcrypto: Libcrypto,
    concurrency: number,
    preparedKeys?: PreparedKeyCacheOptions,
    storedKeys = 256,
  ) {
    this.name = `openssl-${libcrypto.version}`;
    this.concurrency = Math.max(1, concurrency);
    const limiter = new WorkLimiter(this.concurrency);
    const cache = preparedKeys === undefined
      ? undefined
      : new PreparedKeyCache(libcrypto, preparedKeys);
    this.#cache = cache;
    const stored = this.#stored = new StoredKeyCache(libcrypto, storedKeys);
    this.decryptStored = (id, load, ciphertext, padding) =>
      this.#closed
        ? Promise.reject(new InternalError())
        : limiter.run(() => stored.decrypt(id, load, ciphertext, padding));
    this.decrypt = (key, ciphertext, padding) =>
      this.#closed
        ? Promise.reject(new InternalError())
        : limiter.run(() =>
          cache === undefined
            ? libcrypto.decrypt(padding, key, ciphertext)
            : cache.decrypt(key, ciphertext, padding)
        );
    // Encryption for keys of up to 2048 bits stays on this thread: there the
    // bigint public operation costs less than the hand-over of a job to
    // OpenSSL on another thread and back. Larger keys would hold this thread
    // for longer in JavaScript, and go to OpenSSL instead, taking the same
    // turns as decryptions: both hold a thread of Deno's blocking-thread
    // pool. docs/benchmarks.md has the costs on each side of the line.
    this.encrypt = (key, plaintext, padding) => {
      if (this.#closed) return Promise.reject(new InternalError());
      if (key.size <= ON_THREAD_MAX_BYTES) {
        return Promise.try(() => encryptWith(padding, key, plaintext));
      }
      return limiter.run(() => libcrypto.encrypt(padding, key, plaintext));
    };
  }

  /** Takes no more decryptions; those running finish. Drops cached keys. */
  close(): void {
    this.#closed = true;
    this.#cache?.close();
    this.#stored.close();
  }
}
