/**
 * Keys prepared in OpenSSL. {@linkcode PreparedKeyCache}: an opt-in cache of private keys, for clients that
 * decrypt many Fernet keys with one private key: each decryption with a key
 * loaded afresh pays OpenSSL's per-key set-up (Montgomery contexts and
 * blinding, about as much again as the private-key operation), which a
 * prepared key pays once. Bounded in count, and short-lived: an entry is
 * dropped `lifetimeMs` after it was made, however often it is used, and the
 * oldest goes first when the cache is full. Entries are found by a SHA-256
 * of the key's DER, never by the key. SECURITY.md weighs what it costs: the
 * key stays in OpenSSL's memory for up to `lifetimeMs` after the request
 * that brought it.
 *
 * @example
 * ```ts
 * import { loadLibcrypto } from "../../crypto/mod.ts";
 * import { PreparedKeyCache } from "./prepared_keys.ts";
 *
 * const cache = new PreparedKeyCache(loadLibcrypto(), {
 *   size: 16,
 *   lifetimeMs: 10_000,
 * });
 * // cache.decrypt(key, ciphertext, "pkcs1v15") as Libcrypto.decrypt does
 * cache.close();
 * ```
 * @module
 */

import type {
  Libcrypto,
  Padding,
  PreparedKey,
  RsaPrivateKey,
} from "../../crypto/mod.ts";

/** How many keys, and for how long. */
export interface PreparedKeyCacheOptions {
  /** Keys kept at most (at least one). */
  readonly size: number;
  /** Milliseconds an entry lives after it is made. */
  readonly lifetimeMs: number;
}

interface Entry {
  readonly prepared: PreparedKey;
  readonly expires: number;
}

/** Prepared keys by fingerprint, bounded and expiring. */
export class PreparedKeyCache {
  readonly #libcrypto: Libcrypto;
  readonly #size: number;
  readonly #lifetimeMs: number;
  readonly #entries = new Map<string, Entry>();
  readonly #sweeper: number;

  /** A cache over `libcrypto`. */
  constructor(libcrypto: Libcrypto, options: PreparedKeyCacheOptions) {
    this.#libcrypto = libcrypto;
    this.#size = Math.max(1, options.size);
    this.#lifetimeMs = options.lifetimeMs;
    // Expired keys leave even when no request comes to push them out.
    // (Deno's timer id; @types/node, pinned for the tests, calls it Timeout.)
    this.#sweeper = setInterval(
      () => this.#sweep(),
      Math.max(100, Math.min(1000, this.#lifetimeMs)),
    ) as unknown as number;
    Deno.unrefTimer(this.#sweeper);
  }

  /** Keys held now. */
  get size(): number {
    return this.#entries.size;
  }

  /** Decrypts as `Libcrypto.decrypt` does, with the key prepared once. */
  decrypt(
    key: RsaPrivateKey,
    ciphertext: Uint8Array,
    padding: Padding,
  ): Promise<Uint8Array> {
    this.#sweep();
    const id = this.#libcrypto.fingerprint(key);
    let entry = this.#entries.get(id);
    if (entry === undefined) {
      if (this.#entries.size >= this.#size) {
        const [oldest] = this.#entries.keys();
        this.#drop(oldest);
      }
      entry = {
        prepared: this.#libcrypto.prepare(key),
        expires: performance.now() + this.#lifetimeMs,
      };
      this.#entries.set(id, entry);
    }
    return entry.prepared.decrypt(padding, ciphertext);
  }

  /** Drops every key (each freed once its decryptions end). */
  close(): void {
    clearInterval(this.#sweeper);
    for (const id of [...this.#entries.keys()]) this.#drop(id);
  }

  #sweep(): void {
    const now = performance.now();
    for (const [id, entry] of this.#entries) {
      if (entry.expires <= now) this.#drop(id);
    }
  }

  #drop(id: string): void {
    this.#entries.get(id)?.prepared.close();
    this.#entries.delete(id);
  }
}

/**
 * The keystore's versions held prepared in OpenSSL, by their id (a key's
 * uid and the version's number), at most `size`; the least recently used
 * goes first. Entries do not expire: a version stays usable until trimmed
 * or its key deleted, and the service checks that before each use. A
 * decryption by key id then costs the private-key operation alone.
 */
export class StoredKeyCache {
  readonly #libcrypto: Libcrypto;
  readonly #size: number;
  readonly #entries = new Map<string, Promise<PreparedKey>>();

  /** A cache of at most `size` (at least one) versions. */
  constructor(libcrypto: Libcrypto, size: number) {
    this.#libcrypto = libcrypto;
    this.#size = Math.max(1, size);
  }

  /** Versions held now. */
  get size(): number {
    return this.#entries.size;
  }

  /** Decrypts with version `id`, loading and preparing it on first use. */
  async decrypt(
    id: string,
    load: () => Promise<RsaPrivateKey>,
    ciphertext: Uint8Array,
    padding: Padding,
  ): Promise<Uint8Array> {
    let entry = this.#entries.get(id);
    if (entry === undefined) {
      if (this.#entries.size >= this.#size) {
        const [oldest] = this.#entries.keys();
        this.#drop(oldest);
      }
      entry = load().then((key) => this.#libcrypto.prepare(key));
      // A failed load is not kept: the next use tries again.
      entry.catch(() => this.#entries.delete(id));
    } else this.#entries.delete(id); // moved to the newest end below
    this.#entries.set(id, entry);
    return (await entry).decrypt(padding, ciphertext);
  }

  /** Drops every version (each freed once its decryptions end). */
  close(): void {
    for (const id of [...this.#entries.keys()]) this.#drop(id);
  }

  #drop(id: string): void {
    this.#entries.get(id)?.then((prepared) => prepared.close(), () => {});
    this.#entries.delete(id);
  }
}
