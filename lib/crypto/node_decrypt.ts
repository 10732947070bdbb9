/**
 * RSA decryption with Deno's `node:crypto`, both schemes: the fallback
 * backend's, loaded on the request threads (lib/runtime/_request_thread.ts)
 * only when it is chosen, and the reference the tests check OpenSSL's decryption against. Not re-exported
 * from mod.ts: importing `node:crypto` adds to the service's resident memory
 * (docs/benchmarks.md has the figure), which the service's main thread,
 * encrypting on bigints and decrypting through OpenSSL, does not pay
 * (tests/unit/project/startup_graph_test.ts).
 *
 * @example
 * ```ts
 * import { decryptWith } from "./node_decrypt.ts";
 * import { encryptWith } from "./rsaes.ts";
 * import { parsePrivateKey, parsePublicKey } from "./rsa_keys.ts";
 * import { generateRsaKeyPair } from "./rsa_keygen.ts";
 *
 * const pair = await generateRsaKeyPair();
 * const c = encryptWith("oaep-sha256", parsePublicKey(pair.public), new Uint8Array([7]));
 * decryptWith("oaep-sha256", parsePrivateKey(pair.private), c); // Uint8Array [7]
 * ```
 * @module
 */

import { constants } from "node:crypto";
import { nodePrivateDecrypt } from "./_node_rsa.ts";
import { checkCiphertext } from "./pkcs1v15.ts";
import type { RsaPrivateKey } from "./rsa_keys.ts";
import type { Padding } from "./rsaes.ts";

/**
 * Decrypts RSAES-PKCS1-v1_5. Throws `MalformedCiphertext` when the
 * ciphertext fails `checkCiphertext`, and the same `DecryptionError` for
 * every failure after that, whatever its cause.
 */
export function decryptPkcs1v15(
  key: RsaPrivateKey,
  ciphertext: Uint8Array,
): Uint8Array {
  checkCiphertext(key, ciphertext);
  return nodePrivateDecrypt(key, ciphertext, {
    padding: constants.RSA_PKCS1_PADDING,
  });
}

/**
 * Decrypts RSAES-OAEP-SHA-256 (MGF1-SHA-256, empty label). Throws
 * `MalformedCiphertext` when the ciphertext fails `checkCiphertext`, and the
 * same `DecryptionError` for every failure after that, whatever its cause
 * (the same error as PKCS#1 v1.5 decryption).
 */
export function decryptOaepSha256(
  key: RsaPrivateKey,
  ciphertext: Uint8Array,
): Uint8Array {
  checkCiphertext(key, ciphertext);
  return nodePrivateDecrypt(key, ciphertext, {
    padding: constants.RSA_PKCS1_OAEP_PADDING,
    oaepHash: "sha256",
  });
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
