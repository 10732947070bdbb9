/**
 * A request thread's stages, each in CPU time on one thread (Node's
 * `process.cpuUsage()`, so that other processes on a shared machine move
 * it less than wall-clock time): JSON parsing, the private key's parsing and
 * checks, the prepared-key fingerprint (JavaScript and OpenSSL), OpenSSL's
 * decryption with a key loaded afresh and with a prepared one, and all of
 * `decrypt_fernet` through the service's own `KeyService` with the OpenSSL
 * backend as a request thread loads it. docs/architecture-threads.md has
 * the figures.
 *
 *     deno run --allow-all scripts/request_stages.ts [requests]
 *
 * Stages of a few microseconds are below the resolution of the CPU clock
 * on some machines (tick-based accounting): time them by wall clock.
 *
 * @module
 */

import process from "node:process";
import {
  encryptWith,
  generateFernetKey,
  generateRsaKeyPair,
  keyFingerprint,
  loadLibcrypto,
  parsePrivateKey,
  parsePublicKey,
} from "../lib/crypto/mod.ts";
import { decodeJson, requestFrom } from "../lib/service/protocol.ts";
import { KeyService } from "../lib/service/key_service.ts";
import { OpenSslBackend } from "../lib/service/decrypt/openssl_backend.ts";

const N = Number(Deno.args[0] ?? 1000);
const encoder = new TextEncoder();
const pair = await generateRsaKeyPair();
const fernet = generateFernetKey();
const ciphertext = encryptWith(
  "pkcs1v15",
  parsePublicKey(pair.public),
  encoder.encode(fernet),
);
const body = (value: unknown) => [encoder.encode(JSON.stringify(value))];
const decrypt = body({
  type: "decrypt_fernet",
  rsa_private: pair.private,
  encrypted_fernet: ciphertext.toBase64(),
});
const libcrypto = loadLibcrypto(undefined, { onThread: true });
const key = parsePrivateKey(pair.private);

async function stage(name: string, run: () => unknown): Promise<void> {
  for (let i = 0; i < 50; i++) await run();
  const start = process.cpuUsage();
  for (let i = 0; i < N; i++) await run();
  const used = process.cpuUsage(start);
  console.log(
    `${name.padEnd(40)} ${((used.user + used.system) / N).toFixed(1)} µs`,
  );
}

await stage(
  "JSON parse and request check",
  () => requestFrom(decodeJson(decrypt[0])),
);
await stage("parsePrivateKey", () => parsePrivateKey(pair.private));
await stage("keyFingerprint (JavaScript)", () => keyFingerprint(key));
// Absent before the prepared keys' fingerprint moved to OpenSSL.
if ("fingerprint" in libcrypto) {
  await stage(
    "Libcrypto.fingerprint (OpenSSL)",
    () => libcrypto.fingerprint(key),
  );
}
await stage(
  "OpenSSL decrypt, key loaded afresh",
  () => libcrypto.decrypt("pkcs1v15", key, ciphertext),
);
const prepared = libcrypto.prepare(key);
await stage(
  "OpenSSL decrypt, prepared key",
  () => prepared.decrypt("pkcs1v15", ciphertext),
);
prepared.close();
for (const preparedKeys of [undefined, { size: 16, lifetimeMs: 60_000 }]) {
  const backend = new OpenSslBackend(libcrypto, 1, preparedKeys);
  const service = new KeyService({ decrypt: backend.decrypt });
  await stage(
    `KeyService decrypt_fernet${preparedKeys ? ", prepared" : ""}`,
    () => service.handle(decrypt),
  );
  backend.close();
}
