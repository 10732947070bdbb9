/**
 * The crypto layer: RSA key generation and strict key parsing,
 * RSAES-PKCS1-v1_5 and RSAES-OAEP encryption, PEM armour, Fernet keys and
 * decryption through OpenSSL's libcrypto. It knows nothing of JSON, requests
 * or ZeroMQ; its errors name no request field. Decryption with
 * `node:crypto` is node_decrypt.ts, apart, so that importing this module
 * does not load `node:crypto`.
 *
 * @example
 * ```ts
 * import {
 *   checkCiphertext,
 *   encryptPkcs1v15,
 *   generateRsaKeyPair,
 *   parsePrivateKey,
 *   parsePublicKey,
 * } from "./mod.ts";
 *
 * const pair = await generateRsaKeyPair();
 * const ciphertext = encryptPkcs1v15(parsePublicKey(pair.public), new Uint8Array([1]));
 * checkCiphertext(parsePrivateKey(pair.private), ciphertext); // passes
 * ```
 * @module
 */

export * from "./errors.ts";
export * from "./fernet.ts";
export * from "./pem.ts";
export * from "./pkcs1v15.ts";
export * from "./rsa_keygen.ts";
export * from "./rsa_keys.ts";
export * from "./key_export.ts";
export * from "./key_formats.ts";
export * from "./oaep.ts";
export * from "./pbes2.ts";
export * from "./rsaes.ts";
export * from "./openssl.ts";
