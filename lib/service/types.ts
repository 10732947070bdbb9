/**
 * What the request handler needs from the parts behind it, as interfaces, so
 * that the handler, the key pool and the decrypt pool depend on these and
 * not on each other.
 *
 * @example
 * ```ts
 * import type { Decryptor, KeyPairSource } from "./types.ts";
 * import { generateRsaKeyPair } from "../crypto/mod.ts";
 * import { decryptWith } from "../crypto/node_decrypt.ts";
 *
 * const onDemand: KeyPairSource = { take: () => generateRsaKeyPair() };
 * const here: Decryptor = (key, ciphertext, padding) =>
 *   Promise.resolve(decryptWith(padding, key, ciphertext));
 * ```
 * @module
 */

import type {
  Padding,
  RsaKeyPairPem,
  RsaPrivateKey,
  RsaPublicKey,
} from "../crypto/mod.ts";

/** Where `generate_keys` gets its RSA key pairs. */
export interface KeyPairSource {
  /** A fresh key pair, never handed out before. */
  take(): Promise<RsaKeyPairPem>;
}

/**
 * Runs RSA decryption (`padding` names the scheme) of a ciphertext that
 * passed `checkCiphertext`. Rejects with the crypto layer's `DecryptionError` or the
 * service's `DecryptionFailed` when decryption fails, and with
 * `InternalError` when the machinery does.
 */
export type Decryptor = (
  key: RsaPrivateKey,
  ciphertext: Uint8Array,
  padding: Padding,
) => Promise<Uint8Array>;

/**
 * Encrypts a plaintext for one public key: `encryptWith` on the calling
 * thread, or OpenSSL off it. Rejects with `MessageTooLong` as
 * `encryptWith` throws.
 */
export type Encryptor = (
  key: RsaPublicKey,
  plaintext: Uint8Array,
  padding: Padding,
) => Promise<Uint8Array>;

/**
 * Decrypts with a stored key version: `id` names the version for as long as
 * it exists (its key's uid and its number), `load` unseals it when it is
 * not prepared yet. Rejects as a {@linkcode Decryptor} does.
 */
export type StoredDecryptor = (
  id: string,
  load: () => Promise<RsaPrivateKey>,
  ciphertext: Uint8Array,
  padding: Padding,
) => Promise<Uint8Array>;

/** What runs `decrypt_fernet`'s private-key operations. */
export interface DecryptBackend {
  /** For logs and `ping`: `openssl-3.0.19`, or `node` (node:crypto). */
  readonly name: string;
  /** Threads decrypting at once, at most. */
  readonly concurrency: number;
  /** The decryption. */
  readonly decrypt: Decryptor;
  /**
   * Encryption off the main thread, where the backend has it (OpenSSL);
   * without it, encryption runs in JavaScript on the calling thread.
   */
  readonly encrypt?: Encryptor;
  /**
   * Decryption with keystore versions held prepared (OpenSSL); without it,
   * each is loaded and decrypted with `decrypt`.
   */
  readonly decryptStored?: StoredDecryptor;
  /**
   * Takes no more decryptions. Worker threads are stopped and their jobs
   * fail; OpenSSL calls already running finish (they cannot be cut short).
   */
  close(): void;
}
