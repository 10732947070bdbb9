// Test fixtures for the crypto tests: a generated key pair and a fixed one,
// the generated pair's integers, and helpers to build keys and raw RSA blocks.

import assert from "node:assert/strict";
import {
  CryptoError,
  generateRsaKeyPair,
  parsePrivateKey,
  parsePublicKey,
  PRIVATE_LABEL,
  PUBLIC_LABEL,
  type RsaKeyPairPem,
} from "../../../lib/crypto/mod.ts";
import {
  decodeIntegerSequence,
  encodeIntegerSequence,
} from "../../../lib/crypto/_der.ts";
import { decodePem, encodePem } from "../../../lib/crypto/pem.ts";
import { bigintToBytes, bytesToBigint, modPow } from "../../_helpers/der.ts";
import { SECOND_PAIR } from "../../_helpers/fixed_key.ts";

export const pair: RsaKeyPairPem = await generateRsaKeyPair();
/** A second key: fixed, not generated (generation is the slow part). */
export const other: RsaKeyPairPem = SECOND_PAIR;

export const publicKey = parsePublicKey(pair.public);
export const privateKey = parsePrivateKey(pair.private);
export const otherPrivate = parsePrivateKey(other.private);

/** The nine integers of a private key PEM: version, n, e, d, p, q, dp, dq, qi. */
export function privateInts(pem: string): bigint[] {
  const values = decodeIntegerSequence(decodePem(pem, PRIVATE_LABEL));
  assert.ok(values !== null);
  return values;
}

export const [, N, E, D, P, Q, DP, DQ, QI] = privateInts(pair.private);

export function publicPem(values: bigint[]): string {
  return encodePem(PUBLIC_LABEL, encodeIntegerSequence(values));
}

export function privatePem(values: bigint[]): string {
  return encodePem(PRIVATE_LABEL, encodeIntegerSequence(values));
}

export function assertCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof CryptoError, `not a CryptoError`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

/** The encoded message m = c^d mod n, as k bytes, using the key's own d. */
export function rawDecrypt(ciphertext: Uint8Array, n = N, d = D): Uint8Array {
  return bigintToBytes(modPow(bytesToBigint(ciphertext), d, n), 256);
}

/** Whether `em` is a well-formed RSAES-PKCS1-v1_5 encoded message. */
export function isPkcs1Padded(em: Uint8Array): boolean {
  if (em[0] !== 0 || em[1] !== 2) return false;
  const separator = em.indexOf(0, 2);
  return separator >= 10;
}

/** c = em^e mod n: a ciphertext whose decryption is exactly `em`. */
export function rawEncrypt(em: Uint8Array): Uint8Array {
  return bigintToBytes(modPow(bytesToBigint(em), E, N), 256);
}

export function pemLayoutProblems(pem: string, label: string): string[] {
  const problems: string[] = [];
  if (pem.includes("\r")) problems.push("has CR");
  if (!pem.endsWith("\n") || pem.endsWith("\n\n")) {
    problems.push("not one final LF");
  }
  const lines = pem.split("\n");
  if (lines.at(-1) !== "") problems.push("no final LF");
  lines.pop();
  if (lines[0] !== `-----BEGIN ${label}-----`) problems.push("BEGIN line");
  if (lines.at(-1) !== `-----END ${label}-----`) problems.push("END line");
  const body = lines.slice(1, -1);
  body.forEach((line, i) => {
    if (!/^[A-Za-z0-9+/=]+$/.test(line)) problems.push(`line ${i} alphabet`);
    if (i < body.length - 1 && line.length !== 64) {
      problems.push(`line ${i} is ${line.length} long`);
    }
    if (i === body.length - 1 && (line.length === 0 || line.length > 64)) {
      problems.push(`last line is ${line.length} long`);
    }
  });
  return problems;
}

/** A 44-byte message, as long as a Fernet key. */
export const message: Uint8Array = new TextEncoder().encode(
  "Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm8=",
);
