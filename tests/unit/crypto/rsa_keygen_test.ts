// Key generation: python-rsa's PEM layout, 2048-bit keys with e = 65537,
// consistent private values, keys that other libraries load.

import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { PRIVATE_LABEL, PUBLIC_LABEL } from "../../../lib/crypto/mod.ts";
import { decodeIntegerSequence } from "../../../lib/crypto/_der.ts";
import { decodePem } from "../../../lib/crypto/pem.ts";
import { bitLength, gcd, modPow } from "../../_helpers/der.ts";
import {
  D,
  DP,
  DQ,
  E,
  N,
  other,
  otherPrivate,
  P,
  pair,
  pemLayoutProblems,
  privateInts,
  privateKey,
  publicKey,
  Q,
  QI,
} from "./_fixtures.ts";

Deno.test("generated public PEM has python-rsa's layout and label", () => {
  assert.deepEqual(pemLayoutProblems(pair.public, "RSA PUBLIC KEY"), []);
});

Deno.test("generated private PEM has python-rsa's layout and label", () => {
  assert.deepEqual(pemLayoutProblems(pair.private, "RSA PRIVATE KEY"), []);
});

Deno.test("generated public key has a 2048-bit modulus and e = 65537", () => {
  assert.equal(bitLength(publicKey.n), 2048);
  assert.equal(publicKey.e, 65537n);
  assert.equal(publicKey.size, 256);
});

Deno.test("generated public PEM holds exactly n and e of the private PEM", () => {
  const values = decodeIntegerSequence(
    decodePem(pair.public, PUBLIC_LABEL),
  );
  assert.deepEqual(values, [N, E]);
});

Deno.test("generated private key is version 0 with eight consistent integers", () => {
  const values = privateInts(pair.private);
  assert.equal(values.length, 9);
  assert.equal(values[0], 0n);
  assert.equal(bitLength(N), 2048);
  assert.equal(E, 65537n);
  assert.equal(P * Q, N);
  // d inverts e modulo lcm(p-1, q-1).
  assert.ok(D > 0n && D < N);
  assert.equal((E * D) % ((P - 1n) * (Q - 1n) / gcd(P - 1n, Q - 1n)), 1n);
  assert.equal(modPow(modPow(12345n, E, N), D, N), 12345n);
  assert.equal(DP, D % (P - 1n));
  assert.equal(DQ, D % (Q - 1n));
  assert.equal((QI * Q) % P, 1n);
  assert.ok(QI < P);
});

Deno.test("parsePrivateKey accepts the generated private key", () => {
  assert.equal(privateKey.n, N);
  assert.equal(privateKey.e, E);
  assert.equal(privateKey.size, 256);
  assert.deepEqual(
    privateKey.der,
    decodePem(pair.private, PRIVATE_LABEL),
  );
});

Deno.test("two generated key pairs differ", () => {
  assert.notEqual(pair.public, other.public);
  assert.notEqual(pair.private, other.private);
  assert.notEqual(otherPrivate.n, privateKey.n);
});

Deno.test("node:crypto loads the generated private PEM", () => {
  const key = createPrivateKey({ key: pair.private, format: "pem" });
  assert.equal(key.type, "private");
  assert.equal(key.asymmetricKeyType, "rsa");
  assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
  assert.equal(key.asymmetricKeyDetails?.publicExponent, 65537n);
});

Deno.test("node:crypto loads the generated public PEM", () => {
  const key = createPublicKey({ key: pair.public, format: "pem" });
  assert.equal(key.type, "public");
  assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
});
