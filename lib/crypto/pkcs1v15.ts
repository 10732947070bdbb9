/**
 * RSAES-PKCS1-v1_5 (RFC 8017, section 7.2) encryption on native bigints, the
 * RSA public-key operation OAEP shares, and the checks every decryption
 * makes of a ciphertext first. Decryption is OpenSSL's (openssl.ts) or, in
 * the fallback backend's workers, node:crypto's (node_decrypt.ts): nothing
 * here loads `node:crypto`.
 *
 * @example
 * ```ts
 * import { checkCiphertext, encryptPkcs1v15 } from "./pkcs1v15.ts";
 * import { parsePublicKey } from "./rsa_keys.ts";
 * import { generateRsaKeyPair } from "./rsa_keygen.ts";
 *
 * const pair = await generateRsaKeyPair();
 * const key = parsePublicKey(pair.public);
 * const message = new TextEncoder().encode("hello");
 * checkCiphertext(key, encryptPkcs1v15(key, message)); // passes
 * ```
 * @module
 */

import { bigintToBytes, bytesToBigint, modPow } from "./_bigint.ts";
import { MalformedCiphertext, MessageTooLong } from "./errors.ts";
import type { RsaPublicKey } from "./rsa_keys.ts";

/** Bytes PKCS#1 v1.5 encryption padding takes from each block. */
export const PKCS1_OVERHEAD = 11;

/**
 * Encrypts with RSAES-PKCS1-v1_5. The padding comes from
 * `crypto.getRandomValues`. Throws `MessageTooLong` when `plaintext` exceeds
 * `key.size - 11` bytes.
 */
export function encryptPkcs1v15(
  key: RsaPublicKey,
  plaintext: Uint8Array,
): Uint8Array {
  const limit = key.size - PKCS1_OVERHEAD;
  if (plaintext.length > limit) {
    throw new MessageTooLong(plaintext.length, limit);
  }
  // EM = 0x00 || 0x02 || PS || 0x00 || M, PS random and non-zero.
  const em = new Uint8Array(key.size);
  em[1] = 2;
  const ps = em.subarray(2, key.size - plaintext.length - 1);
  crypto.getRandomValues(ps);
  for (let i = 0; i < ps.length; i++) {
    while (ps[i] === 0) crypto.getRandomValues(ps.subarray(i, i + 1));
  }
  em.set(plaintext, key.size - plaintext.length);
  return rsaPublicOperation(key, em);
}

/**
 * RSAEP (RFC 8017, section 5.1.1): an encoded message `em`, `key.size`
 * bytes with a leading zero, raised to `e` mod `n`; the ciphertext,
 * `key.size` bytes.
 */
export function rsaPublicOperation(
  key: RsaPublicKey,
  em: Uint8Array,
): Uint8Array {
  // m^e mod n on native bigints, which V8 multiplies in machine words where
  // node-forge's jsbn works in 28-bit digits (docs/benchmarks.md compares
  // them); a public operation needs no side-channel care.
  const c = modPow(bytesToBigint(em), key.e, key.n);
  return bigintToBytes(c, key.size);
}

/**
 * Checks a ciphertext against the key: exactly modulus-long and numerically
 * below the modulus. Throws `MalformedCiphertext`. Cheap, and it leaks
 * nothing: both facts are public.
 */
export function checkCiphertext(
  key: RsaPublicKey,
  ciphertext: Uint8Array,
): void {
  if (ciphertext.length !== key.size) {
    throw new MalformedCiphertext(
      `must decode to ${key.size} bytes for this key (its modulus's length)`,
    );
  }
  if (bytesToBigint(ciphertext) >= key.n) {
    throw new MalformedCiphertext("is not below the key's modulus");
  }
}
