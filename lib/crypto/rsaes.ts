/**
 * RSA encryption schemes by name, as requests choose them: `pkcs1v15`
 * (RSAES-PKCS1-v1_5, the contract's default) or `oaep-sha256`. Encryption
 * only: decryption by name is the backend's (openssl.ts, or node_decrypt.ts
 * in the fallback's workers).
 *
 * @example
 * ```ts
 * import { encryptWith } from "./rsaes.ts";
 * import { parsePublicKey } from "./rsa_keys.ts";
 * import { generateRsaKeyPair } from "./rsa_keygen.ts";
 *
 * const pair = await generateRsaKeyPair();
 * encryptWith("oaep-sha256", parsePublicKey(pair.public), new Uint8Array([7])).length; // 256
 * ```
 * @module
 */

import { encryptOaepSha256 } from "./oaep.ts";
import { encryptPkcs1v15 } from "./pkcs1v15.ts";
import type { RsaPublicKey } from "./rsa_keys.ts";

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
