/**
 * What the request handler needs from the parts behind it, as interfaces, so
 * that the handler, the key pool and the decrypt pool depend on these and
 * not on each other.
 *
 * @example
 * ```ts
 * import type { Decryptor, KeyPairSource } from "./types.ts";
 * import { decryptPkcs1v15, generateRsaKeyPair } from "../crypto/mod.ts";
 *
 * const onDemand: KeyPairSource = { take: () => generateRsaKeyPair() };
 * const here: Decryptor = (key, ciphertext) =>
 *   Promise.resolve(decryptPkcs1v15(key, ciphertext));
 * ```
 * @module
 */

import type { RsaKeyPairPem, RsaPrivateKey } from "../crypto/mod.ts";

/** Where `generate_keys` gets its RSA key pairs. */
export interface KeyPairSource {
  /** A fresh key pair, never handed out before. */
  take(): Promise<RsaKeyPairPem>;
}

/**
 * Runs RSAES-PKCS1-v1_5 decryption of a ciphertext that passed
 * `checkCiphertext`. Rejects with the crypto layer's `DecryptionError` or the
 * service's `DecryptionFailed` when decryption fails, and with
 * `InternalError` when the machinery does.
 */
export type Decryptor = (
  key: RsaPrivateKey,
  ciphertext: Uint8Array,
) => Promise<Uint8Array>;
