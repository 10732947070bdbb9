/**
 * The raw primitives as `deno bench` groups, each with the service's own
 * way as the baseline: RSA-2048 key generation (one at a time, and one a
 * core at once), one decryption per backend (OpenSSL through FFI, with the
 * key loaded for each call and prepared once; node:crypto), one encryption
 * (the service's bigint RSAES-PKCS1-v1_5 and OpenSSL's). The `primitives`
 * scenario of `deno task bench` runs it with `--json`.
 *
 * @example
 * ```sh
 * deno task bench:primitives
 * ```
 * @module
 */

import {
  encryptPkcs1v15,
  generateRsaKeyPair,
  type Libcrypto,
  loadLibcrypto,
  parsePrivateKey,
  parsePublicKey,
} from "../../lib/crypto/mod.ts";
import { decryptPkcs1v15 } from "../../lib/crypto/node_decrypt.ts";
import { PRIMITIVES } from "./scenarios/primitives.ts";

const quick = Deno.env.get("KEYSERVICE_BENCH_QUICK") === "1";
const cores = navigator.hardwareConcurrency || 1;
const pair = await generateRsaKeyPair();
const publicKey = parsePublicKey(pair.public);
const privateKey = parsePrivateKey(pair.private);
const message = new TextEncoder().encode("x".repeat(44));
const ciphertext = encryptPkcs1v15(publicKey, message);
let libcrypto: Libcrypto | undefined;
try {
  libcrypto = loadLibcrypto();
} catch (error) {
  console.error(`OpenSSL benches ignored: ${(error as Error).message}`);
}
const prepared = libcrypto?.prepare(privateKey);

// RSA key generation varies a lot from key to key (the prime search): a
// fixed count of keys, the same for both.
const keys = quick ? 4 : 16;
Deno.bench({
  ...PRIMITIVES.keygen,
  baseline: true,
  n: keys,
  warmup: 1,
  async fn() {
    await generateRsaKeyPair();
  },
});
Deno.bench({
  ...PRIMITIVES.keygen_parallel,
  n: Math.max(1, Math.round(keys / cores)),
  warmup: 1,
  async fn() {
    await Promise.all(
      Array.from({ length: cores }, () => generateRsaKeyPair()),
    );
  },
});

Deno.bench({
  ...PRIMITIVES.decrypt_openssl,
  baseline: true,
  ignore: libcrypto === undefined,
  async fn() {
    await libcrypto!.decrypt("pkcs1v15", privateKey, ciphertext);
  },
});
Deno.bench({
  ...PRIMITIVES.decrypt_openssl_prepared,
  ignore: prepared === undefined,
  async fn() {
    await prepared!.decrypt("pkcs1v15", ciphertext);
  },
});
Deno.bench({
  ...PRIMITIVES.decrypt_node,
  fn() {
    decryptPkcs1v15(privateKey, ciphertext);
  },
});

Deno.bench({
  ...PRIMITIVES.encrypt_bigint,
  baseline: true,
  fn() {
    encryptPkcs1v15(publicKey, message);
  },
});
Deno.bench({
  ...PRIMITIVES.encrypt_openssl,
  ignore: libcrypto === undefined,
  async fn() {
    await libcrypto!.encrypt("pkcs1v15", publicKey, message);
  },
});
