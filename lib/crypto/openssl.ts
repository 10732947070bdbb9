/**
 * RSA private-key decryption in OpenSSL 3's libcrypto, through Deno's FFI:
 * blinded, with constant-time padding checks, and off the main thread (the
 * decryption call is `nonblocking`, so it runs on Deno's blocking-thread
 * pool). The key is handed over as PKCS#1 DER, parsed by
 * `d2i_RSAPrivateKey` (OpenSSL 3's decoder framework looks up providers
 * and builds a decoder chain for every key, which costs far more than the
 * RSA operation; see docs/benchmarks.md), and freed after each call:
 * nothing of it stays in OpenSSL.
 *
 * OpenSSL 3.2 and later answer bad PKCS#1 v1.5 padding with a random
 * plaintext ("implicit rejection") unless told not to. This module turns it
 * off for each decryption, so that a bad ciphertext fails as the contract
 * says it must; on 3.0 and 3.1, which have no such thing, there is nothing to
 * turn off.
 *
 * @example
 * ```ts
 * import { loadLibcrypto } from "./openssl.ts";
 * import { encryptWith, generateRsaKeyPair, parsePrivateKey, parsePublicKey } from "./mod.ts";
 *
 * const libcrypto = loadLibcrypto(); // throws LibcryptoUnavailable where missing
 * const pair = await generateRsaKeyPair();
 * const c = encryptWith("oaep-sha256", parsePublicKey(pair.public), new Uint8Array([1]));
 * await libcrypto.decrypt("oaep-sha256", parsePrivateKey(pair.private), c); // Uint8Array [1]
 * ```
 * @module
 */

import {
  DecryptionError,
  LibcryptoUnavailable,
  MessageTooLong,
} from "./errors.ts";
import {
  configurePadding,
  IMPLICIT_REJECTION_SINCE,
  loadRsaKey,
  SYMBOLS,
  type Symbols,
  SYMBOLS_ON_THREAD,
} from "./_openssl_ffi.ts";
import { encodeIntegerSequence } from "./_der.ts";
import { sha256 } from "./_sha256.ts";
import { OAEP_SHA256_OVERHEAD } from "./oaep.ts";
import { checkCiphertext, PKCS1_OVERHEAD } from "./pkcs1v15.ts";
import type { Padding } from "./rsaes.ts";
import type { RsaPrivateKey, RsaPublicKey } from "./rsa_keys.ts";

/** The oldest OpenSSL this module uses (3.0.0). */
const MINIMUM_VERSION = 0x30000000n;

/** The libcrypto file names tried when none is given. */
export const LIBCRYPTO_CANDIDATES: readonly string[] = Deno.build.os ===
    "darwin"
  ? [
    "libcrypto.3.dylib",
    "/opt/homebrew/lib/libcrypto.3.dylib",
    "/usr/local/lib/libcrypto.3.dylib",
  ]
  : ["libcrypto.so.3"];

/**
 * OpenSSL's version number as text, such as `3.0.19`: `0xMNN00PP0` (major,
 * minor, patch) since 3.0, `0xMNNFFPPS` (major, minor, fix, patch letter,
 * status) before it, where the letter is left out (`1.1.1`).
 */
export function opensslVersionText(number: bigint): string {
  const major = Number(number >> 28n);
  const minor = Number((number >> 20n) & 0xffn);
  const patch = major >= 3
    ? Number((number >> 4n) & 0xffn)
    : Number((number >> 12n) & 0xffn);
  return `${major}.${minor}.${patch}`;
}

/** Why a libcrypto of this version cannot be used, or undefined when it can. */
export function versionProblem(number: bigint): string | undefined {
  return number < MINIMUM_VERSION
    ? `OpenSSL ${opensslVersionText(number)} is older than 3.0`
    : undefined;
}

/** An opened libcrypto 3, ready to decrypt. */
export class Libcrypto {
  /** The file that was opened. */
  readonly path: string;
  /** OpenSSL's version, such as `3.0.19`. */
  readonly version: string;
  readonly #symbols: Symbols;
  readonly #implicitRejection: boolean;

  private constructor(path: string, symbols: Symbols, number: bigint) {
    this.path = path;
    this.#symbols = symbols;
    this.version = opensslVersionText(number);
    this.#implicitRejection = number >= IMPLICIT_REJECTION_SINCE;
  }

  /**
   * @internal Opens `path`; throws what `Deno.dlopen` throws. `onThread`:
   * the RSA operations run on the calling thread (see
   * {@linkcode LibcryptoOptions}).
   */
  static open(path: string, onThread = false): Libcrypto {
    const symbols: Symbols = onThread
      ? Deno.dlopen(path, SYMBOLS_ON_THREAD).symbols
      : Deno.dlopen(path, SYMBOLS).symbols;
    const number = symbols.OpenSSL_version_num();
    const problem = versionProblem(number);
    if (problem !== undefined) throw new Error(problem);
    return new Libcrypto(path, symbols, number);
  }

  /**
   * Decrypts `ciphertext` with `key` under `padding`. Throws
   * `MalformedCiphertext` when the ciphertext fails `checkCiphertext`, and
   * rejects with the one `DecryptionError` for every failure after that.
   * The key is loaded into OpenSSL for this call and freed after it.
   */
  async decrypt(
    padding: Padding,
    key: RsaPrivateKey,
    ciphertext: Uint8Array,
  ): Promise<Uint8Array> {
    // The prepared key checks the ciphertext (MalformedCiphertext) first.
    const prepared = this.prepare(key);
    try {
      return await prepared.decrypt(padding, ciphertext);
    } finally {
      prepared.close();
    }
  }

  /**
   * Loads `key` into OpenSSL for several decryptions: the set-up that each
   * {@linkcode Libcrypto.decrypt} pays (Montgomery contexts, blinding) is
   * paid once, on the first. The key then lives in OpenSSL's memory until
   * `close()`. Throws `DecryptionError` when OpenSSL refuses the key.
   */
  prepare(key: RsaPrivateKey): PreparedKey {
    const implicitRejection = this.#implicitRejection;
    return new PreparedKey(
      this.#symbols,
      loadRsaKey(this.#symbols, key.der, "private"),
      key,
      (ctx, padding) =>
        configurePadding(this.#symbols, ctx, padding, { implicitRejection }),
    );
  }

  /**
   * {@linkcode keyFingerprint}, hashed in OpenSSL: the same hex string, for
   * a small part of the JavaScript SHA-256's cost
   * (docs/architecture-threads.md).
   */
  fingerprint(key: RsaPrivateKey): string {
    const digest = new Uint8Array(32);
    this.#symbols.SHA256(key.der, BigInt(key.der.length), digest);
    return digest.toHex();
  }

  /**
   * Encrypts `plaintext` for `key` under `padding`, as `encryptWith` does
   * (random padding from OpenSSL's generator), on Deno's blocking-thread
   * pool. Throws `MessageTooLong` as `encryptWith` does.
   */
  async encrypt(
    padding: Padding,
    key: RsaPublicKey,
    plaintext: Uint8Array,
  ): Promise<Uint8Array> {
    const overhead = padding === "oaep-sha256"
      ? OAEP_SHA256_OVERHEAD
      : PKCS1_OVERHEAD;
    const limit = key.size - overhead;
    if (plaintext.length > limit) {
      throw new MessageTooLong(plaintext.length, limit);
    }
    const ssl = this.#symbols;
    const pkey = loadRsaKey(
      ssl,
      encodeIntegerSequence([key.n, key.e]),
      "public",
    );
    const ctx = ssl.EVP_PKEY_CTX_new(pkey, null);
    try {
      if (ctx === null || ssl.EVP_PKEY_encrypt_init(ctx) !== 1) {
        throw new Error("OpenSSL could not set up an encryption");
      }
      configurePadding(ssl, ctx, padding, undefined);
      const input = new Uint8Array(plaintext);
      const out = new Uint8Array(key.size);
      const outLength = new BigUint64Array([BigInt(out.length)]);
      const rc = await ssl.EVP_PKEY_encrypt(
        ctx,
        out,
        outLength,
        input,
        BigInt(input.length),
      );
      input.fill(0);
      if (rc !== 1 || Number(outLength[0]) !== key.size) {
        throw new Error("OpenSSL failed to encrypt");
      }
      return out;
    } finally {
      ssl.ERR_clear_error();
      if (ctx !== null) ssl.EVP_PKEY_CTX_free(ctx);
      ssl.EVP_PKEY_free(pkey);
    }
  }
}

/**
 * A name for a private key that does not reveal it: the SHA-256 of its
 * PKCS#1 DER, in hex. For finding a {@linkcode PreparedKey} again; never
 * logged.
 */
export function keyFingerprint(key: RsaPrivateKey): string {
  return sha256(key.der).toHex();
}

/** A private key held in OpenSSL, for decryptions until `close()`. */
export class PreparedKey {
  readonly #ssl: Symbols;
  readonly #key: RsaPrivateKey;
  readonly #configure: (ctx: Deno.PointerObject, padding: Padding) => void;
  #pkey: Deno.PointerObject | null;
  /**
   * Contexts set up for a padding and not in use. Setting one up fetches
   * the RSA implementation and its parameters from OpenSSL's provider
   * store, under a lock that every thread of the process shares; with many
   * request threads that lock, not the RSA operation, was what grew
   * (docs/architecture-threads.md). A context is in one decryption at a
   * time: taken out, used, put back.
   */
  readonly #idle = new Map<Padding, Deno.PointerObject[]>();
  #running = 0;
  #closing = false;

  /** @internal Made by {@linkcode Libcrypto.prepare}. */
  constructor(
    ssl: Symbols,
    pkey: Deno.PointerObject,
    key: RsaPrivateKey,
    configure: (ctx: Deno.PointerObject, padding: Padding) => void,
  ) {
    this.#ssl = ssl;
    this.#pkey = pkey;
    this.#key = key;
    this.#configure = configure;
  }

  /**
   * Decrypts as {@linkcode Libcrypto.decrypt} does, with the key already
   * loaded. Several may run at once.
   */
  async decrypt(padding: Padding, ciphertext: Uint8Array): Promise<Uint8Array> {
    checkCiphertext(this.#key, ciphertext);
    if (this.#pkey === null) throw new Error("PreparedKey is closed");
    const ssl = this.#ssl;
    let ctx = this.#idle.get(padding)?.pop() ?? null;
    let reusable = false;
    this.#running++;
    try {
      if (ctx === null) {
        ctx = ssl.EVP_PKEY_CTX_new(this.#pkey, null);
        if (ctx === null || ssl.EVP_PKEY_decrypt_init(ctx) !== 1) {
          throw new DecryptionError();
        }
        this.#configure(ctx, padding);
      }
      const input = new Uint8Array(ciphertext);
      const out = new Uint8Array(this.#key.size);
      const outLength = new BigUint64Array([BigInt(out.length)]);
      const rc = await ssl.EVP_PKEY_decrypt(
        ctx,
        out,
        outLength,
        input,
        BigInt(input.length),
      );
      // Back for another decryption whether this one succeeded or not: the
      // context holds no state of the operation, and a failure that cost
      // the next request a new context would be a timing signal.
      reusable = true;
      if (rc !== 1) throw new DecryptionError();
      const plaintext = out.slice(0, Number(outLength[0]));
      out.fill(0);
      return plaintext;
    } finally {
      ssl.ERR_clear_error();
      if (ctx !== null) this.#release(padding, ctx, reusable);
      if (--this.#running === 0 && this.#closing) this.#free();
    }
  }

  #release(padding: Padding, ctx: Deno.PointerObject, reusable: boolean) {
    const idle = this.#idle.get(padding) ?? [];
    if (reusable && !this.#closing && idle.length < MAX_IDLE_CONTEXTS) {
      idle.push(ctx);
      this.#idle.set(padding, idle);
    } else {
      this.#ssl.EVP_PKEY_CTX_free(ctx);
    }
  }

  /** Frees the key in OpenSSL once the decryptions running have ended. */
  close(): void {
    this.#closing = true;
    if (this.#running === 0) this.#free();
  }

  #free(): void {
    if (this.#pkey === null) return;
    for (const contexts of this.#idle.values()) {
      for (const ctx of contexts) this.#ssl.EVP_PKEY_CTX_free(ctx);
    }
    this.#idle.clear();
    this.#ssl.EVP_PKEY_free(this.#pkey);
    this.#pkey = null;
  }
}

/**
 * Contexts a prepared key keeps for each padding: as many as decryptions
 * with it overlap (one on a request thread; the blocking pool's limit
 * otherwise), not more.
 */
const MAX_IDLE_CONTEXTS = 4;

/** How {@linkcode loadLibcrypto} opens libcrypto. */
export interface LibcryptoOptions {
  /**
   * Run the RSA operations on the calling thread, blocking it for the
   * operation (0.25 ms for a 2048-bit decryption), instead of on Deno's
   * blocking-thread pool. For a thread that serves nothing else meanwhile
   * (a request thread); never for the thread that serves the socket.
   * Default false.
   */
  readonly onThread?: boolean;
}

/**
 * Opens libcrypto 3: `path` when given (and only it), else the system's
 * (`libcrypto.so.3`). Throws {@linkcode LibcryptoUnavailable} saying what
 * was tried and why it failed (missing, not libcrypto, older than 3.0).
 */
export function loadLibcrypto(
  path?: string,
  options: LibcryptoOptions = {},
): Libcrypto {
  const candidates = path === undefined ? LIBCRYPTO_CANDIDATES : [path];
  const tried: string[] = [];
  for (const candidate of candidates) {
    try {
      return Libcrypto.open(candidate, options.onThread ?? false);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      tried.push(`${candidate}: ${reason.split("\n")[0]}`);
    }
  }
  throw new LibcryptoUnavailable(tried);
}
