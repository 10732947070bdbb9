// Key parsing: what makes a key unusable, malformed or of the wrong type,
// and keys from other generators that must be accepted.

import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey } from "node:crypto";
import {
  CryptoError,
  encryptPkcs1v15,
  generateRsaKeyPair,
  parsePrivateKey,
  parsePublicKey,
  PRIVATE_LABEL,
  PUBLIC_LABEL,
} from "../../../lib/crypto/mod.ts";
import { decryptPkcs1v15 } from "../../../lib/crypto/node_decrypt.ts";
import { encodeIntegerSequence } from "../../../lib/crypto/_der.ts";
import { decodePem, encodePem } from "../../../lib/crypto/pem.ts";
import {
  bigintToBytes,
  derInteger,
  derSequence,
  gcd,
  tlv,
} from "../../_helpers/der.ts";
import {
  assertCode,
  D,
  DP,
  DQ,
  E,
  message,
  N,
  P,
  pair,
  privateKey,
  privatePem,
  publicKey,
  publicPem,
  Q,
  QI,
} from "./_fixtures.ts";
import { PRIMES } from "../../_helpers/primes.ts";

/** A 1024-bit PKCS#1 key pair, from the same generator with a smaller size. */
function smallKeyPem(): Promise<{ public: string; private: string }> {
  return generateRsaKeyPair(1024);
}

Deno.test("a 1024-bit modulus is rejected as unusable_key", async () => {
  const small = await smallKeyPem();
  assertCode(() => parsePublicKey(small.public), "unusable_key");
  assertCode(() => parsePrivateKey(small.private), "unusable_key");
  // ...and accepted when the limit allows it, so the size is the reason.
  assert.equal(
    parsePublicKey(small.public, { minBits: 1024 }).size,
    128,
  );
  assert.equal(
    parsePrivateKey(small.private, { minBits: 1024 }).size,
    128,
  );
});

Deno.test("a modulus above maxBits is rejected as unusable_key", () => {
  assertCode(
    () => parsePublicKey(pair.public, { maxBits: 2047 }),
    "unusable_key",
  );
});

Deno.test("an even modulus is rejected as unusable_key", () => {
  assertCode(() => parsePublicKey(publicPem([N + 1n, E])), "unusable_key");
  assertCode(
    () => parsePrivateKey(privatePem([0n, N + 1n, E, D, P, Q, DP, DQ, QI])),
    "unusable_key",
  );
});

Deno.test("an even public exponent is rejected as unusable_key", () => {
  assertCode(() => parsePublicKey(publicPem([N, 65536n])), "unusable_key");
  assertCode(() => parsePublicKey(publicPem([N, 2n])), "unusable_key");
});

Deno.test("public exponent 1 is rejected as unusable_key", () => {
  assertCode(() => parsePublicKey(publicPem([N, 1n])), "unusable_key");
  assertCode(() => parsePublicKey(publicPem([N, 0n])), "unusable_key");
  assertCode(
    () => parsePrivateKey(privatePem([0n, N, 1n, 1n, P, Q, 1n, 1n, QI])),
    "unusable_key",
  );
});

Deno.test("a public exponent of 2^17 or more is rejected as unusable_key", () => {
  for (const e of [(1n << 17n) + 1n, (1n << 32n) - 1n, (1n << 32n) + 1n]) {
    assertCode(() => parsePublicKey(publicPem([N, e])), "unusable_key");
  }
});

Deno.test("public exponents 65537 and 2^17 - 1 are accepted", () => {
  assert.equal(parsePublicKey(publicPem([N, 65537n])).e, 65537n);
  assert.equal(parsePublicKey(publicPem([N, (1n << 17n) - 1n])).e, 131071n);
});

Deno.test("a private key with a public exponent of 2^17 or more is rejected as unusable_key", () => {
  let e = (1n << 17n) + 1n;
  while (gcd(e, (P - 1n) * (Q - 1n)) !== 1n) e += 2n;
  assertCode(() => parsePrivateKey(keyFrom(P, Q, e, "lambda")), "unusable_key");
});

Deno.test("public exponent 3 is accepted", () => {
  assert.equal(parsePublicKey(publicPem([N, 3n])).e, 3n);
});

/** a^-1 mod m. */
function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [((a % m) + m) % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  assert.equal(r0, 1n, "no inverse");
  return ((s0 % m) + m) % m;
}

/** A consistent PKCS#1 private key PEM from two primes and e. */
function keyFrom(p: bigint, q: bigint, e: bigint, modulus: "phi" | "lambda") {
  const phi = (p - 1n) * (q - 1n);
  const d = inverse(e, modulus === "phi" ? phi : phi / gcd(p - 1n, q - 1n));
  return keyWithD(p, q, e, d);
}

function assertRoundTrip(pem: string): void {
  const key = parsePrivateKey(pem);
  const ciphertext = encryptPkcs1v15(
    parsePublicKey(publicPem([key.n, key.e])),
    message,
  );
  assert.deepEqual(decryptPkcs1v15(key, ciphertext), message);
}

Deno.test("a python-rsa style key (d = e^-1 mod phi) is accepted and decrypts", () => {
  assertRoundTrip(keyFrom(P, Q, E, "phi"));
});

Deno.test("a key with d = e^-1 mod lcm(p-1, q-1) is accepted and decrypts", () => {
  assertRoundTrip(keyFrom(P, Q, E, "lambda"));
});

/** A PKCS#1 private key PEM of p, q, e with `d` as given (CRT values from it). */
function keyWithD(p: bigint, q: bigint, e: bigint, d: bigint): string {
  return privatePem([
    0n,
    p * q,
    e,
    d,
    p,
    q,
    d % (p - 1n),
    d % (q - 1n),
    inverse(q, p),
  ]);
}

Deno.test("a private exponent that inverts e mod one of p-1, q-1 and not the other is rejected as unusable_key", () => {
  const d = inverse(E, (P - 1n) * (Q - 1n) / gcd(P - 1n, Q - 1n));
  // d + (p-1) still inverts e mod p-1, not mod q-1; d + (q-1) the reverse.
  for (const [step, other] of [[P - 1n, Q - 1n], [Q - 1n, P - 1n]]) {
    const wrong = d + step;
    assert.equal((E * wrong) % step, 1n);
    assert.notEqual((E * wrong) % other, 1n);
    assertCode(
      () => parsePrivateKey(keyWithD(P, Q, E, wrong)),
      "unusable_key",
    );
  }
});

Deno.test("a private exponent off by one is rejected as unusable_key", () => {
  const lambda = (P - 1n) * (Q - 1n) / gcd(P - 1n, Q - 1n);
  assertCode(
    () => parsePrivateKey(keyWithD(P, Q, E, inverse(E, lambda) + 1n)),
    "unusable_key",
  );
});

Deno.test("a key with p and q in the other order is accepted and decrypts", () => {
  assertRoundTrip(keyFrom(Q, P, E, "phi"));
});

Deno.test("keys with a small or a large odd public exponent work end to end", () => {
  const lambda = (P - 1n) * (Q - 1n) / gcd(P - 1n, Q - 1n);
  const small = [3n, 5n, 17n, 257n].find((e) => gcd(e, lambda) === 1n)!;
  let large = (1n << 17n) - 1n;
  while (gcd(large, lambda) !== 1n) large -= 2n;
  for (const e of [small, large]) assertRoundTrip(keyFrom(P, Q, e, "phi"));
});

// --- Prime sizes ---------------------------------------------------------------

Deno.test("a python-rsa key (primes bits(n)/32 off half: 1088 and 960 bits) is accepted and decrypts", () => {
  assertRoundTrip(keyFrom(PRIMES[1088], PRIMES[960], E, "phi"));
});

Deno.test("primes exactly bits(n)/16 off half (1152 and 896 of 2048) are accepted", () => {
  assertRoundTrip(keyFrom(PRIMES[1152], PRIMES[896], E, "lambda"));
});

Deno.test("primes one bit further off (1153 and 895 of 2048) are rejected as unusable_key", () => {
  const pem = keyFrom(PRIMES[1153], PRIMES[895], E, "lambda");
  assert.equal((PRIMES[1153] * PRIMES[895]).toString(2).length, 2048);
  assertCode(() => parsePrivateKey(pem), "unusable_key");
});

Deno.test("a 4096-bit key of a 1024-bit and a 3072-bit prime is rejected as unusable_key", () => {
  const pem = keyFrom(PRIMES[1024], PRIMES[3072], E, "lambda");
  assertCode(() => parsePrivateKey(pem, { maxBits: 4096 }), "unusable_key");
  // The same primes the other way round.
  assertCode(
    () => parsePrivateKey(keyFrom(PRIMES[3072], PRIMES[1024], E, "lambda")),
    "unusable_key",
  );
});

Deno.test("a key with p = 3 is rejected as unusable_key", () => {
  for (const q of [PRIMES[2047], PRIMES[4094]]) {
    assertCode(
      () => parsePrivateKey(keyFrom(3n, q, E, "lambda")),
      "unusable_key",
    );
  }
});

Deno.test("an unbalanced key's error names no number of the key", () => {
  try {
    parsePrivateKey(keyFrom(PRIMES[1024], PRIMES[3072], E, "lambda"));
    assert.fail("accepted");
  } catch (error) {
    assert.ok(error instanceof CryptoError);
    assert.doesNotMatch(error.message, /\d{3}/);
  }
});

Deno.test("a private key with a tampered CRT value is rejected as unusable_key", () => {
  const tampered: [string, bigint[]][] = [
    ["dp", [0n, N, E, D, P, Q, DP + 2n, DQ, QI]],
    ["dq", [0n, N, E, D, P, Q, DP, DQ + 2n, QI]],
    ["qi", [0n, N, E, D, P, Q, DP, DQ, QI + 1n]],
    ["qi + p", [0n, N, E, D, P, Q, DP, DQ, QI + P]],
  ];
  for (const [name, values] of tampered) {
    assert.throws(
      () => parsePrivateKey(privatePem(values)),
      (error: unknown) => {
        assert.ok(error instanceof CryptoError, name);
        assert.equal(error.code, "unusable_key", name);
        return true;
      },
    );
  }
});

Deno.test("a private key with a tampered prime is rejected as unusable_key", () => {
  assertCode(
    () => parsePrivateKey(privatePem([0n, N, E, D, P + 2n, Q, DP, DQ, QI])),
    "unusable_key",
  );
  assertCode(
    () => parsePrivateKey(privatePem([0n, N, E, D, Q, P, DQ, DP, QI])),
    "unusable_key", // p and q swapped: qi is no longer q^-1 mod p
  );
  assertCode(
    () => parsePrivateKey(privatePem([0n, N, E, D, N, 1n, DP, DQ, QI])),
    "unusable_key",
  );
});

Deno.test("a private key with a tampered d or e is rejected as unusable_key", () => {
  assertCode(
    () => parsePrivateKey(privatePem([0n, N, E, D + 2n, P, Q, DP, DQ, QI])),
    "unusable_key",
  );
  assertCode(
    () => parsePrivateKey(privatePem([0n, N, 3n, D, P, Q, DP, DQ, QI])),
    "unusable_key",
  );
});

Deno.test("a private key of version 1 is rejected as unusable_key", () => {
  assertCode(
    () => parsePrivateKey(privatePem([1n, N, E, D, P, Q, DP, DQ, QI])),
    "unusable_key",
  );
});

Deno.test("a private key with the wrong number of integers is malformed_key", () => {
  assertCode(
    () => parsePrivateKey(privatePem([0n, N, E, D, P, Q, DP, DQ])),
    "malformed_key",
  );
  assertCode(
    () => parsePrivateKey(privatePem([0n, N, E, D, P, Q, DP, DQ, QI, 0n])),
    "malformed_key",
  );
  assertCode(() => parsePublicKey(publicPem([N])), "malformed_key");
  assertCode(() => parsePublicKey(publicPem([N, E, 0n])), "malformed_key");
});

Deno.test("the test's DER builder matches encodeIntegerSequence", () => {
  assert.deepEqual(
    derSequence(derInteger(N), derInteger(E)),
    encodeIntegerSequence([N, E]),
  );
  assert.equal(
    parsePublicKey(
      encodePem(PUBLIC_LABEL, derSequence(derInteger(N), derInteger(E))),
    ).n,
    N,
  );
});

Deno.test("a public key DER with trailing bytes is malformed_key", () => {
  const der = encodeIntegerSequence([N, E]);
  for (const tail of [[0], [0, 0], [5, 0]]) {
    const pem = encodePem(PUBLIC_LABEL, Uint8Array.of(...der, ...tail));
    assertCode(() => parsePublicKey(pem), "malformed_key");
  }
});

Deno.test("a private key DER with trailing bytes is malformed_key", () => {
  const der = decodePem(pair.private, PRIVATE_LABEL);
  const pem = encodePem(PRIVATE_LABEL, Uint8Array.of(...der, 0));
  assertCode(() => parsePrivateKey(pem), "malformed_key");
});

Deno.test("an integer with a redundant leading zero is malformed_key", () => {
  const pem = encodePem(
    PUBLIC_LABEL,
    derSequence(derInteger(N), derInteger(E, { extraZero: true })),
  );
  assertCode(() => parsePublicKey(pem), "malformed_key");
});

Deno.test("a long-form length where short form fits is malformed_key", () => {
  const e = bigintToBytes(E);
  const pem = encodePem(
    PUBLIC_LABEL,
    derSequence(derInteger(N), tlv(0x02, e, { long: true })),
  );
  assertCode(() => parsePublicKey(pem), "malformed_key");
});

Deno.test("a negative integer is malformed_key", () => {
  const n = bigintToBytes(N); // top bit set: negative without a leading 0
  assert.ok(n[0] & 0x80);
  const pem = encodePem(PUBLIC_LABEL, derSequence(tlv(0x02, n), derInteger(E)));
  assertCode(() => parsePublicKey(pem), "malformed_key");
});

Deno.test("a DER that is not a SEQUENCE of INTEGERs is malformed_key", () => {
  const octets = tlv(0x04, bigintToBytes(E));
  for (
    const der of [
      derInteger(N), // a bare INTEGER
      derSequence(derInteger(N), octets), // an OCTET STRING inside
      derSequence(), // empty
      Uint8Array.of(0x30, 0x05, 0x02, 0x01), // truncated
    ]
  ) {
    assertCode(
      () => parsePublicKey(encodePem(PUBLIC_LABEL, der)),
      "malformed_key",
    );
  }
});

Deno.test("a private key PEM in the public parser is unexpected_key_type", () => {
  assertCode(() => parsePublicKey(pair.private), "unexpected_key_type");
});

Deno.test("a public key PEM in the private parser is unexpected_key_type", () => {
  assertCode(() => parsePrivateKey(pair.public), "unexpected_key_type");
});

Deno.test("a PKCS#8 / SPKI PEM from node:crypto reads as the same key as its PKCS#1 PEM", () => {
  const key = createPrivateKey({ key: pair.private, format: "pem" });
  const pkcs8 = key.export({ type: "pkcs8", format: "pem" }) as string;
  const spki = createPublicKey(key).export({
    type: "spki",
    format: "pem",
  }) as string;
  assert.deepEqual(parsePrivateKey(pkcs8), privateKey);
  assert.deepEqual(parsePublicKey(spki), publicKey);
});

Deno.test("key errors never hold key material", () => {
  const tampered = privatePem([0n, N, E, D + 2n, P, Q, DP, DQ, QI]);
  try {
    parsePrivateKey(tampered);
    assert.fail("accepted a tampered key");
  } catch (error) {
    assert.ok(error instanceof CryptoError);
    for (const value of [N, D, P, Q]) {
      assert.ok(!error.message.includes(value.toString()));
      assert.ok(!error.message.includes(value.toString(16)));
    }
    assert.ok(!error.message.includes(tampered.split("\n")[1]));
  }
});
