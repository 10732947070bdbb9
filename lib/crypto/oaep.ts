/**
 * RSAES-OAEP encryption (RFC 8017, section 7.1.1) with SHA-256, MGF1 with
 * SHA-256 and an empty label: what pyca/cryptography calls `OAEP(MGF1(SHA256()),
 * SHA256(), None)` and WebCrypto `RSA-OAEP` with SHA-256. On native bigints,
 * synchronous, without `node:crypto` (whose import the main thread does not
 * pay for; see node_decrypt.ts); decryption is OpenSSL's (openssl.ts) or, in
 * the fallback backend's workers, node:crypto's (node_decrypt.ts).
 *
 * @example
 * ```ts
 * import { encryptOaepSha256 } from "./oaep.ts";
 * import { parsePublicKey } from "./rsa_keys.ts";
 * import { generateRsaKeyPair } from "./rsa_keygen.ts";
 *
 * const pair = await generateRsaKeyPair();
 * const message = new TextEncoder().encode("hello");
 * encryptOaepSha256(parsePublicKey(pair.public), message).length; // 256
 * ```
 * @module
 */

import { sha256, SHA256_BYTES } from "./_sha256.ts";
import { MessageTooLong } from "./errors.ts";
import { rsaPublicOperation } from "./pkcs1v15.ts";
import type { RsaPublicKey } from "./rsa_keys.ts";

/** Bytes OAEP with SHA-256 takes from each block: 2 · 32 + 2. */
export const OAEP_SHA256_OVERHEAD = 2 * SHA256_BYTES + 2;

/** SHA-256 of the empty label, computed once. */
const EMPTY_LABEL_HASH = sha256(new Uint8Array(0));

/**
 * Encrypts with RSAES-OAEP-SHA-256; the seed comes from
 * `crypto.getRandomValues`. Throws `MessageTooLong` when `plaintext` exceeds
 * `key.size - 66` bytes.
 */
export function encryptOaepSha256(
  key: RsaPublicKey,
  plaintext: Uint8Array,
): Uint8Array {
  const k = key.size;
  const limit = k - OAEP_SHA256_OVERHEAD;
  if (plaintext.length > limit) {
    throw new MessageTooLong(plaintext.length, limit);
  }
  // EM = 0x00 || maskedSeed || maskedDB, DB = lHash || PS || 0x01 || M.
  const em = new Uint8Array(k);
  const seed = em.subarray(1, 1 + SHA256_BYTES);
  const db = em.subarray(1 + SHA256_BYTES);
  db.set(EMPTY_LABEL_HASH);
  db[db.length - plaintext.length - 1] = 1;
  db.set(plaintext, db.length - plaintext.length);
  crypto.getRandomValues(seed);
  xorInto(db, mgf1(seed, db.length));
  xorInto(seed, mgf1(db, SHA256_BYTES));
  return rsaPublicOperation(key, em);
}

/** MGF1 with SHA-256 (RFC 8017, appendix B.2.1): `length` bytes of mask. */
function mgf1(seed: Uint8Array, length: number): Uint8Array {
  const mask = new Uint8Array(Math.ceil(length / SHA256_BYTES) * SHA256_BYTES);
  const input = new Uint8Array(seed.length + 4);
  input.set(seed);
  const counter = new DataView(input.buffer, seed.length);
  for (let i = 0; i * SHA256_BYTES < length; i++) {
    counter.setUint32(0, i);
    mask.set(sha256(input), i * SHA256_BYTES);
  }
  return mask.subarray(0, length);
}

function xorInto(target: Uint8Array, mask: Uint8Array): void {
  for (let i = 0; i < target.length; i++) target[i] ^= mask[i];
}
