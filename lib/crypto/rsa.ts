/**
 * RSA for the key service: key pairs from WebCrypto written as python-rsa's
 * PKCS#1 PEM, strict parsing of PKCS#1 PEM keys into typed values, and
 * RSAES-PKCS1-v1_5 (RFC 8017, section 7.2) encryption and decryption.
 * DER goes through node-forge's ASN.1 (see `_der.ts`).
 *
 * @example
 * ```ts
 * import {
 *   decryptPkcs1v15,
 *   encryptPkcs1v15,
 *   generateRsaKeyPair,
 *   parsePrivateKey,
 *   parsePublicKey,
 * } from "./rsa.ts";
 *
 * const pair = await generateRsaKeyPair();
 * const message = new TextEncoder().encode("hello");
 * const ciphertext = encryptPkcs1v15(parsePublicKey(pair.public), message);
 * decryptPkcs1v15(parsePrivateKey(pair.private), ciphertext); // "hello" again
 * ```
 * @module
 */

import { constants, createPrivateKey, privateDecrypt } from "node:crypto";
import { Buffer } from "node:buffer";
import {
  bigintToBytes,
  bitLength,
  bytesToBigint,
  decodeIntegerSequence,
  encodeIntegerSequence,
} from "./_der.ts";
import { decodePem, encodePem } from "./pem.ts";
import {
  DecryptionFailed,
  InvalidCiphertext,
  InvalidKey,
  InvalidPem,
  PlaintextTooLong,
} from "../service/errors.ts";

/** PEM label of a PKCS#1 `RSAPublicKey`. */
export const PUBLIC_LABEL = "RSA PUBLIC KEY";
/** PEM label of a PKCS#1 `RSAPrivateKey`. */
export const PRIVATE_LABEL = "RSA PRIVATE KEY";
/** Bytes PKCS#1 v1.5 encryption padding takes from each block. */
export const PKCS1_OVERHEAD = 11;

/** Bounds on the keys the service accepts. */
export interface KeyLimits {
  /** Smallest modulus accepted, in bits. Default 2048. */
  minBits?: number;
  /** Largest modulus accepted, in bits. Default 4096. */
  maxBits?: number;
}

/** An RSA public key, validated. */
export interface RsaPublicKey {
  /** The modulus. */
  readonly n: bigint;
  /** The public exponent. */
  readonly e: bigint;
  /** Length of the modulus in bytes, which is the ciphertext length. */
  readonly size: number;
}

/** An RSA private key, validated, with its PKCS#1 DER encoding. */
export interface RsaPrivateKey extends RsaPublicKey {
  /** The PKCS#1 `RSAPrivateKey` DER it was read from. */
  readonly der: Uint8Array;
}

/** A key pair as the contract sends it: PKCS#1 PEM, python-rsa's layout. */
export interface RsaKeyPairPem {
  /** `-----BEGIN RSA PUBLIC KEY-----` PEM. */
  readonly public: string;
  /** `-----BEGIN RSA PRIVATE KEY-----` PEM. */
  readonly private: string;
}

const E_MAX = 1n << 32n;

function jwkInteger(value: string | undefined): bigint {
  if (value === undefined) throw new Error("WebCrypto JWK lacks a field");
  return bytesToBigint(Uint8Array.fromBase64(value, { alphabet: "base64url" }));
}

/**
 * Generates an RSA key pair with WebCrypto (off the main thread, from the
 * platform's cryptographic random source) and writes it as PKCS#1 PEM.
 */
export async function generateRsaKeyPair(bits = 2048): Promise<RsaKeyPairPem> {
  const pair = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: bits,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const [n, e, d, p, q, dp, dq, qi] = [
    jwk.n,
    jwk.e,
    jwk.d,
    jwk.p,
    jwk.q,
    jwk.dp,
    jwk.dq,
    jwk.qi,
  ].map(jwkInteger);
  if (bitLength(n) !== bits) {
    throw new Error("WebCrypto modulus has wrong size");
  }
  return {
    public: encodePem(PUBLIC_LABEL, encodeIntegerSequence([n, e])),
    private: encodePem(
      PRIVATE_LABEL,
      encodeIntegerSequence([0n, n, e, d, p, q, dp, dq, qi]),
    ),
  };
}

function checkPublic(
  n: bigint,
  e: bigint,
  field: string,
  limits: KeyLimits,
): number {
  const bits = bitLength(n);
  const minBits = limits.minBits ?? 2048;
  const maxBits = limits.maxBits ?? 4096;
  if (bits < minBits) {
    throw new InvalidKey(
      field,
      `modulus has ${bits} bits, at least ${minBits} required`,
    );
  }
  if (bits > maxBits) {
    throw new InvalidKey(
      field,
      `modulus has ${bits} bits, at most ${maxBits} allowed`,
    );
  }
  if (n % 2n === 0n) throw new InvalidKey(field, "modulus is even");
  if (e < 3n || e % 2n === 0n || e >= E_MAX) {
    throw new InvalidKey(
      field,
      "public exponent must be odd, at least 3 and below 2^32",
    );
  }
  return Math.ceil(bits / 8);
}

/**
 * Reads a PKCS#1 `RSAPublicKey` PEM (`-----BEGIN RSA PUBLIC KEY-----`) into a
 * validated key. Throws `InvalidPem`, `WrongKeyType` or `InvalidKey`.
 */
export function parsePublicKey(
  pem: string,
  field = "rsa_public",
  limits: KeyLimits = {},
): RsaPublicKey {
  const values = decodeIntegerSequence(decodePem(pem, PUBLIC_LABEL, field));
  if (values === null || values.length !== 2) {
    throw new InvalidPem(field, "the body is not a PKCS#1 RSAPublicKey");
  }
  const [n, e] = values;
  return { n, e, size: checkPublic(n, e, field, limits) };
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/**
 * Reads a PKCS#1 `RSAPrivateKey` PEM (`-----BEGIN RSA PRIVATE KEY-----`,
 * version 0, all eight integers) into a validated key: n = p·q, d inverts e,
 * and the CRT values match. Throws `InvalidPem`, `WrongKeyType` or
 * `InvalidKey`.
 */
export function parsePrivateKey(
  pem: string,
  field = "rsa_private",
  limits: KeyLimits = {},
): RsaPrivateKey {
  const der = decodePem(pem, PRIVATE_LABEL, field);
  const values = decodeIntegerSequence(der);
  if (values === null || values.length !== 9) {
    throw new InvalidPem(field, "the body is not a PKCS#1 RSAPrivateKey");
  }
  const [version, n, e, d, p, q, dp, dq, qi] = values;
  if (version !== 0n) {
    throw new InvalidKey(
      field,
      "only two-prime keys (version 0) are supported",
    );
  }
  const size = checkPublic(n, e, field, limits);
  if (p < 3n || q < 3n || p * q !== n) {
    throw new InvalidKey(field, "the primes do not multiply to the modulus");
  }
  const p1 = p - 1n, q1 = q - 1n;
  const lambda = p1 / gcd(p1, q1) * q1;
  if (d <= 0n || d >= n || (e * d) % lambda !== 1n) {
    throw new InvalidKey(field, "the private exponent does not match");
  }
  if (dp !== d % p1 || dq !== d % q1 || qi >= p || (qi * q) % p !== 1n) {
    throw new InvalidKey(field, "the CRT values do not match");
  }
  return { n, e, size, der };
}

/** base^exponent mod modulus, square-and-multiply on bigints. */
export function modPow(
  base: bigint,
  exponent: bigint,
  modulus: bigint,
): bigint {
  let result = 1n;
  base %= modulus;
  for (; exponent > 0n; exponent >>= 1n) {
    if (exponent & 1n) result = result * base % modulus;
    base = base * base % modulus;
  }
  return result;
}

/**
 * Encrypts with RSAES-PKCS1-v1_5. The padding comes from
 * `crypto.getRandomValues`. Throws
 * `PlaintextTooLong` when `plaintext` exceeds `key.size - 11` bytes.
 */
export function encryptPkcs1v15(
  key: RsaPublicKey,
  plaintext: Uint8Array,
): Uint8Array {
  const limit = key.size - PKCS1_OVERHEAD;
  if (plaintext.length > limit) {
    throw new PlaintextTooLong(plaintext.length, limit);
  }
  // EM = 0x00 || 0x02 || PS || 0x00 || M, PS random and non-zero.
  const em = new Uint8Array(key.size);
  em[1] = 2;
  const ps = em.subarray(2, key.size - plaintext.length - 1);
  crypto.getRandomValues(ps);
  for (let i = 0; i < ps.length; i++) {
    while (ps[i] === 0) crypto.getRandomValues(ps.subarray(i, i + 1));
  }
  em.set(plaintext, key.size - plaintext.length);
  // The public-key operation m^e mod n on native bigints: 25 times faster
  // than node-forge's jsbn here (scripts/bench.ts measures both), and a
  // public operation needs no side-channel care.
  const c = modPow(bytesToBigint(em), key.e, key.n);
  return bigintToBytes(c, key.size);
}

/**
 * Checks a ciphertext against the key: exactly modulus-long and numerically
 * below the modulus. Throws `InvalidCiphertext`.
 */
export function checkCiphertext(
  key: RsaPublicKey,
  ciphertext: Uint8Array,
): void {
  if (ciphertext.length !== key.size) {
    throw new InvalidCiphertext(
      `must decode to ${key.size} bytes for this key, got ${ciphertext.length}`,
    );
  }
  if (bytesToBigint(ciphertext) >= key.n) {
    throw new InvalidCiphertext("is not below the key's modulus");
  }
}

/**
 * Decrypts RSAES-PKCS1-v1_5 with Deno's `node:crypto`. The ciphertext must
 * have passed {@linkcode checkCiphertext}; every failure after that throws
 * the same `DecryptionFailed`, whatever its cause.
 */
export function decryptPkcs1v15(
  key: RsaPrivateKey,
  ciphertext: Uint8Array,
): Uint8Array {
  checkCiphertext(key, ciphertext);
  try {
    const privateKey = createPrivateKey({
      key: Buffer.from(key.der),
      format: "der",
      type: "pkcs1",
    });
    const out = privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_PADDING },
      ciphertext,
    );
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch {
    throw new DecryptionFailed();
  }
}
