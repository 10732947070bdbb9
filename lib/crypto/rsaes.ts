/**
 * RSA encryption schemes by name, as requests choose them: `pkcs1v15`
 * (RSAES-PKCS1-v1_5, the contract's default) or `oaep-sha256`.
 *
 * @example
 * ```ts
 * import { decryptWith, encryptWith } from "./rsaes.ts";
 * import { parsePrivateKey, parsePublicKey } from "./rsa_keys.ts";
 * import { generateRsaKeyPair } from "./rsa_keygen.ts";
 *
 * const pair = await generateRsaKeyPair();
 * const c = encryptWith("oaep-sha256", parsePublicKey(pair.public), new Uint8Array([7]));
 * decryptWith("oaep-sha256", parsePrivateKey(pair.private), c); // Uint8Array [7]
 * ```
 * @module
 */

import { decryptOaepSha256, encryptOaepSha256 } from "./oaep.ts";
import { decryptPkcs1v15, encryptPkcs1v15 } from "./pkcs1v15.ts";
import type { RsaPrivateKey, RsaPublicKey } from "./rsa_keys.ts";

/** The encryption schemes, default first. */
export const PADDINGS = ["pkcs1v15", "oaep-sha256"] as const;

/** The name of an encryption scheme. */
export type Padding = typeof PADDINGS[number];

/** Encrypts `plaintext` under `key` with `padding`. */
export function encryptWith(
  padding: Padding,
  key: RsaPublicKey,
  plaintext: Uint8Array,
): Uint8Array {
  return padding === "oaep-sha256"
    ? encryptOaepSha256(key, plaintext)
    : encryptPkcs1v15(key, plaintext);
}

/**
 * Decrypts `ciphertext` with `key` and `padding`; every failure of a
 * well-formed ciphertext is the same `DecryptionError` for both schemes.
 */
export function decryptWith(
  padding: Padding,
  key: RsaPrivateKey,
  ciphertext: Uint8Array,
): Uint8Array {
  return padding === "oaep-sha256"
    ? decryptOaepSha256(key, ciphertext)
    : decryptPkcs1v15(key, ciphertext);
}
