/**
 * RSA keys as typed values: strict parsing of PKCS#1 PEM public and private
 * keys, with the checks that make a key safe to use (size bounds, an odd
 * modulus, a sane public exponent, and a private key whose values agree).
 *
 * @example
 * ```ts
 * import { parsePrivateKey, parsePublicKey } from "./rsa_keys.ts";
 * import { generateRsaKeyPair } from "./rsa_keygen.ts";
 *
 * const pair = await generateRsaKeyPair();
 * parsePublicKey(pair.public).size; // 256 (bytes)
 * parsePrivateKey(pair.private, { minBits: 2048 }).n; // the modulus
 * ```
 * @module
 */

import { bitLength, gcd } from "./_bigint.ts";
import { decodeIntegerSequence } from "./_der.ts";
import { MalformedKey, UnusableKey } from "./errors.ts";
import { decodePem } from "./pem.ts";

/** PEM label of a PKCS#1 `RSAPublicKey`. */
export const PUBLIC_LABEL = "RSA PUBLIC KEY";
/** PEM label of a PKCS#1 `RSAPrivateKey`. */
export const PRIVATE_LABEL = "RSA PRIVATE KEY";

/** Bounds on the keys accepted. */
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

const E_MAX = 1n << 32n;

/**
 * Checks a modulus and public exponent against `limits` and the rules every
 * usable key meets; returns the modulus length in bytes. Throws
 * `UnusableKey`.
 */
function validatePublicValues(n: bigint, e: bigint, limits: KeyLimits): number {
  const bits = bitLength(n);
  const minBits = limits.minBits ?? 2048;
  const maxBits = limits.maxBits ?? 4096;
  if (bits < minBits) {
    throw new UnusableKey(
      `modulus has ${bits} bits, at least ${minBits} required`,
    );
  }
  if (bits > maxBits) {
    throw new UnusableKey(
      `modulus has ${bits} bits, at most ${maxBits} allowed`,
    );
  }
  if (n % 2n === 0n) throw new UnusableKey("modulus is even");
  if (e < 3n || e % 2n === 0n || e >= E_MAX) {
    throw new UnusableKey(
      "public exponent must be odd, at least 3 and below 2^32",
    );
  }
  return Math.ceil(bits / 8);
}

/**
 * Reads a PKCS#1 `RSAPublicKey` PEM (`-----BEGIN RSA PUBLIC KEY-----`) into a
 * validated key. Throws `MalformedKey`, `UnexpectedKeyType` or `UnusableKey`.
 */
export function parsePublicKey(
  pem: string,
  limits: KeyLimits = {},
): RsaPublicKey {
  const values = decodeIntegerSequence(decodePem(pem, PUBLIC_LABEL));
  if (values === null || values.length !== 2) {
    throw new MalformedKey("the body is not a PKCS#1 RSAPublicKey");
  }
  const [n, e] = values;
  return { n, e, size: validatePublicValues(n, e, limits) };
}

/**
 * Reads a PKCS#1 `RSAPrivateKey` PEM (`-----BEGIN RSA PRIVATE KEY-----`,
 * version 0, all eight integers) into a validated key: n = p·q, d inverts e,
 * and the CRT values match. Throws `MalformedKey`, `UnexpectedKeyType` or
 * `UnusableKey`.
 */
export function parsePrivateKey(
  pem: string,
  limits: KeyLimits = {},
): RsaPrivateKey {
  const der = decodePem(pem, PRIVATE_LABEL);
  const values = decodeIntegerSequence(der);
  if (values === null || values.length !== 9) {
    throw new MalformedKey("the body is not a PKCS#1 RSAPrivateKey");
  }
  const [version, n, e, d, p, q, dp, dq, qi] = values;
  if (version !== 0n) {
    throw new UnusableKey("only two-prime keys (version 0) are supported");
  }
  const size = validatePublicValues(n, e, limits);
  if (p < 3n || q < 3n || p * q !== n) {
    throw new UnusableKey("the primes do not multiply to the modulus");
  }
  const p1 = p - 1n, q1 = q - 1n;
  const lambda = p1 / gcd(p1, q1) * q1;
  if (d <= 0n || d >= n || (e * d) % lambda !== 1n) {
    throw new UnusableKey("the private exponent does not match");
  }
  if (dp !== d % p1 || dq !== d % q1 || qi >= p || (qi * q) % p !== 1n) {
    throw new UnusableKey("the CRT values do not match");
  }
  return { n, e, size, der };
}
