// Keys that would make work needlessly expensive, end to end: a 4096-bit
// private key of a 1024-bit and a 3072-bit prime, one with p = 3, and public
// exponents of 2^17 and more are `invalid_key`, on both decryption backends,
// PKCS#1 and PKCS#8 alike; and the service goes on serving real keys.

import assert from "node:assert/strict";
import {
  modPow,
  pem,
  pkcs8Der,
  privateDer,
  publicPem,
  rsaFromPrimes,
  type RsaPrivateIntegers,
} from "../_helpers/der.ts";
import { FIXED_INTEGERS, FIXED_PAIR } from "../_helpers/fixed_key.ts";
import { PRIMES } from "../_helpers/primes.ts";
import { type RunningService, withService } from "../_helpers/service.ts";

const FERNET = "q0Vb0hzJ9Y6m2bS0Fo3H1XkzjS8HvEwTQ5m9cA7dCqU=";

const UNBALANCED = rsaFromPrimes(PRIMES[1024], PRIMES[3072], 65537n);
const P_IS_3 = rsaFromPrimes(3n, PRIMES[4094], 65537n);

/** A modulus-long ciphertext below the modulus: 2^e mod n, as base64. */
function someCiphertext(key: RsaPrivateIntegers): string {
  const size = Math.ceil(key.n.toString(2).length / 8);
  const hex = modPow(2n, key.e, key.n).toString(16).padStart(size * 2, "0");
  return Uint8Array.fromHex(hex).toBase64();
}

function assertInvalidKey(reply: Record<string, unknown>, field: string) {
  assert.equal(reply.code, "invalid_key", JSON.stringify(reply));
  assert.match(String(reply.error), new RegExp(`^Field "${field}" `));
}

/** Every expensive key refused, then a real decryption answered. */
async function refusesExpensiveKeys(service: RunningService): Promise<void> {
  for (const key of [UNBALANCED, P_IS_3]) {
    assert.equal(key.n.toString(2).length, 4096);
    for (
      const text of [
        pem("RSA PRIVATE KEY", privateDer(key)),
        pem("PRIVATE KEY", pkcs8Der(privateDer(key))),
      ]
    ) {
      assertInvalidKey(
        await service.request({
          type: "decrypt_fernet",
          encrypted_fernet: someCiphertext(key),
          rsa_private: text,
        }),
        "rsa_private",
      );
    }
  }
  const encrypted = await service.request({
    type: "encrypt_fernet",
    fernet: FERNET,
    rsa_public: FIXED_PAIR.public,
  });
  assert.equal(typeof encrypted.encrypted_fernet, "string");
  assert.deepEqual(
    await service.request({
      type: "decrypt_fernet",
      encrypted_fernet: encrypted.encrypted_fernet,
      rsa_private: FIXED_PAIR.private,
    }),
    { fernet: FERNET },
  );
}

Deno.test("unbalanced private keys are invalid_key (OpenSSL backend), and real keys are served", async () => {
  await withService(refusesExpensiveKeys, ["--pool-size", "0"]);
});

Deno.test("unbalanced private keys are invalid_key (node:crypto backend), and real keys are served", async () => {
  await withService(refusesExpensiveKeys, [
    "--pool-size",
    "0",
    "--crypto-backend",
    "node",
  ]);
});

Deno.test("a public exponent of 2^17 or more is invalid_key; 65537 and 2^17 - 1 are served", async () => {
  await withService(async (service) => {
    const huge = publicPem({ n: FIXED_INTEGERS.n, e: (1n << 32n) - 1n });
    assertInvalidKey(
      await service.request({
        type: "encrypt_fernet",
        fernet: FERNET,
        rsa_public: huge,
      }),
      "rsa_public",
    );
    const many = await service.request({
      type: "encrypt_fernet_many",
      fernet: FERNET,
      rsa_publics: [
        FIXED_PAIR.public,
        publicPem({ n: FIXED_INTEGERS.n, e: (1n << 17n) + 1n }),
        publicPem({ n: FIXED_INTEGERS.n, e: (1n << 17n) - 1n }),
      ],
    });
    const results = many.results as Record<string, unknown>[];
    assert.equal(typeof results[0].encrypted_fernet, "string");
    assertInvalidKey(results[1], "rsa_publics\\[1\\]");
    assert.equal(typeof results[2].encrypted_fernet, "string");
  }, ["--pool-size", "0"]);
});
