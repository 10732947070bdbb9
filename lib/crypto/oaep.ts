/**
 * RSAES-OAEP (RFC 8017, section 7.1) with SHA-256, MGF1 with SHA-256 and an
 * empty label: what pyca/cryptography calls `OAEP(MGF1(SHA256()), SHA256(),
 * None)` and WebCrypto `RSA-OAEP` with SHA-256. Both directions through
 * Deno's `node:crypto`.
 *
 * @example
 * ```ts
 * import { decryptOaepSha256, encryptOaepSha256 } from "./oaep.ts";
 * import { parsePrivateKey, parsePublicKey } from "./rsa_keys.ts";
 * import { generateRsaKeyPair } from "./rsa_keygen.ts";
 *
 * const pair = await generateRsaKeyPair();
 * const message = new TextEncoder().encode("hello");
 * const ciphertext = encryptOaepSha256(parsePublicKey(pair.public), message);
 * decryptOaepSha256(parsePrivateKey(pair.private), ciphertext); // "hello"
 * ```
 * @module
 */

import { constants, createPublicKey, publicEncrypt } from "node:crypto";
import { nodePrivateDecrypt } from "./_node_rsa.ts";
import { bigintToBytes } from "./_bigint.ts";
import { MessageTooLong } from "./errors.ts";
import { checkCiphertext } from "./pkcs1v15.ts";
import type { RsaPrivateKey, RsaPublicKey } from "./rsa_keys.ts";

/** Bytes OAEP with SHA-256 takes from each block: 2 · 32 + 2. */
export const OAEP_SHA256_OVERHEAD = 66;

const OAEP = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" };

function base64url(value: bigint): string {
  return bigintToBytes(value).toBase64({
    alphabet: "base64url",
    omitPadding: true,
  });
}

/**
 * Encrypts with RSAES-OAEP-SHA-256 (random seed from the platform's source).
 * Throws `MessageTooLong` when `plaintext` exceeds `key.size - 66` bytes.
 */
export function encryptOaepSha256(
  key: RsaPublicKey,
  plaintext: Uint8Array,
): Uint8Array {
  const limit = key.size - OAEP_SHA256_OVERHEAD;
  if (plaintext.length > limit) {
    throw new MessageTooLong(plaintext.length, limit);
  }
  const publicKey = createPublicKey({
    key: { kty: "RSA", n: base64url(key.n), e: base64url(key.e) },
    format: "jwk",
  });
  const out = publicEncrypt({ key: publicKey, ...OAEP }, plaintext);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Decrypts RSAES-OAEP-SHA-256. Throws `MalformedCiphertext` when the
 * ciphertext fails `checkCiphertext`, and the same `DecryptionError` for
 * every failure after that, whatever its cause (the same error as PKCS#1
 * v1.5 decryption).
 */
export function decryptOaepSha256(
  key: RsaPrivateKey,
  ciphertext: Uint8Array,
): Uint8Array {
  checkCiphertext(key, ciphertext);
  return nodePrivateDecrypt(key, ciphertext, OAEP);
}
