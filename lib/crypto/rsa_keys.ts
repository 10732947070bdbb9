/**
 * RSA keys as typed values: strict parsing of PEM public keys (PKCS#1
 * `RSA PUBLIC KEY` or SPKI `PUBLIC KEY`) and private keys (PKCS#1
 * `RSA PRIVATE KEY`, PKCS#8 `PRIVATE KEY`, or `ENCRYPTED PRIVATE KEY` with a
 * passphrase), with the checks that make a key safe to use (size bounds, an
 * odd modulus, a public exponent below 2^17, primes of about half the
 * modulus's size, and a private key whose values agree).
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

import { bitLength } from "./_bigint.ts";
import { decodeIntegerSequence, TOO_LONG } from "./_der.ts";
import {
  MalformedCiphertext,
  MalformedKey,
  PassphraseRequired,
  UnusableKey,
} from "./errors.ts";
import { pkcs1FromPkcs8, pkcs1FromSpki } from "./key_formats.ts";
import { checkEncryptedPkcs8, decryptPkcs8 } from "./pbes2.ts";
import { decodePemLabelled } from "./pem.ts";

/** PEM label of a PKCS#1 `RSAPublicKey`. */
export const PUBLIC_LABEL = "RSA PUBLIC KEY";
/** PEM label of a PKCS#1 `RSAPrivateKey`. */
export const PRIVATE_LABEL = "RSA PRIVATE KEY";
/** PEM label of a SubjectPublicKeyInfo. */
export const SPKI_LABEL = "PUBLIC KEY";
/** PEM label of a PKCS#8 PrivateKeyInfo. */
export const PKCS8_LABEL = "PRIVATE KEY";
/** PEM label of a PKCS#8 EncryptedPrivateKeyInfo. */
export const ENCRYPTED_LABEL = "ENCRYPTED PRIVATE KEY";

const PUBLIC_LABELS = [PUBLIC_LABEL, SPKI_LABEL];
/^\s*-----BEGIN [A-Z ]+-----\r?\nProc-Type: 4,ENCRYPTED\r?\n/;
const PRIVATE_LABELS = [PRIVATE_LABEL, PKCS8_LABEL, ENCRYPTED_LABEL];

/** Bounds on the keys accepted. */
export interface KeyLimits {
  /** Smallest modulus accepted, in bits. Default 2048. */
  minBits?: number;
  /** Largest modulus accepted, in bits. Default 4096. */
  maxBits?: number;
  /**
   * Most PBKDF2 iterations an encrypted private key may ask for. Default
   * and ceiling `MAX_ITERATIONS` (10,000,000).
   */
  maxIterations?: number;
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

/**
 * Public exponents must be below 2^17. Every exponent real generators use
 * lies below it: 65537 (2^16 + 1, the default of OpenSSL, python-rsa,
 * pyca/cryptography, WebCrypto and FIPS 186's smallest), and 3, 17 or 257 in
 * old keys. A public operation costs one modular squaring per bit of `e`
 * plus one multiplication per set bit: 65537 costs 17 + 1, any `e` below
 * the bound at most 17 + 16, while the old bound, 2^32, let a client make
 * every encryption cost 32 + 31, 3.5 times a real key's, for nothing. (FIPS
 * 186 allows random exponents up to 2^256; no generator we know of uses
 * one, and such a key is refused here.)
 */
const E_MAX = 1n << 17n;

/**
 * Each prime of a private key must have about half the modulus's bits:
 * |bits(p) - bits(n)/2| <= bits(n)/16. Decryption with the CRT costs about
 * bits(p)^3 + bits(q)^3 word operations: a 4096-bit key of a 1024-bit and a
 * 3072-bit prime costs 1.75 times a balanced one, and p = 3 makes q nearly
 * as long as n, 4 times. Generators make primes of equal size (OpenSSL,
 * pyca/cryptography, WebCrypto, FIPS 186), except python-rsa, the original
 * service's, which makes them bits(n)/32 apart from half (1088 and 960 bits
 * for 2048): the tolerance is twice that, and costs at most 5% more than a
 * balanced key.
 */
function balanced(prime: bigint, modulusBits: number): boolean {
  return Math.abs(2 * bitLength(prime) - modulusBits) * 8 <= modulusBits;
}

/**
 * What a key's integers are read up to: `count` of them, each of at most
 * the largest modulus's bytes and a sign byte. A longer one is left
 * undecoded (`TOO_LONG`, which every check of a value refuses), so that its
 * cost is bounded by the limits, not by what a client sends.
 */
function integerBounds(
  limits: KeyLimits,
  count: number,
): { maxBytes: number; maxItems: number } {
  return {
    maxBytes: Math.ceil((limits.maxBits ?? 4096) / 8) + 1,
    maxItems: count,
  };
}

/**
 * Checks a modulus and public exponent against `limits` and the rules every
 * usable key meets; returns the modulus length in bytes. Throws
 * `UnusableKey`.
 */
function validatePublicValues(n: bigint, e: bigint, limits: KeyLimits): number {
  const minBits = limits.minBits ?? 2048;
  const maxBits = limits.maxBits ?? 4096;
  // Fixed words and the limits only: the key's own size is the client's.
  const bits = n === TOO_LONG ? Infinity : bitLength(n);
  if (bits < minBits) {
    throw new UnusableKey(
      `modulus is shorter than the ${minBits} bits required`,
    );
  }
  if (bits > maxBits) {
    throw new UnusableKey(`modulus is longer than the ${maxBits} bits allowed`);
  }
  if (n % 2n === 0n) throw new UnusableKey("modulus is even");
  if (e < 3n || e % 2n === 0n || e >= E_MAX) {
    throw new UnusableKey(
      "public exponent must be odd, at least 3 and below 2^17",
    );
  }
  return Math.ceil(bits / 8);
}

/**
 * Reads a public key PEM, PKCS#1 (`-----BEGIN RSA PUBLIC KEY-----`) or SPKI
 * (`-----BEGIN PUBLIC KEY-----`), into a validated key. Throws
 * `MalformedKey`, `UnexpectedKeyType`, `UnsupportedKeyAlgorithm` or
 * `UnusableKey`.
 */
export function parsePublicKey(
  pem: string,
  limits: KeyLimits = {},
): RsaPublicKey {
  const { label, der } = decodePemLabelled(pem, PUBLIC_LABELS);
  const pkcs1 = label === SPKI_LABEL ? pkcs1FromSpki(der) : der;
  const values = decodeIntegerSequence(pkcs1, integerBounds(limits, 2));
  if (values === null || values.length !== 2) {
    throw new MalformedKey("the body is not a PKCS#1 RSAPublicKey");
  }
  const [n, e] = values;
  return { n, e, size: validatePublicValues(n, e, limits) };
}

/**
 * Reads a private key PEM, PKCS#1 (`-----BEGIN RSA PRIVATE KEY-----`) or
 * PKCS#8 (`-----BEGIN PRIVATE KEY-----`), into a validated key. Throws
 * `MalformedKey`, `UnexpectedKeyType`, `UnsupportedKeyAlgorithm`,
 * `UnusableKey`, or `PassphraseRequired` for an `ENCRYPTED PRIVATE KEY`
 * (see {@linkcode openPrivateKey}).
 */
export function parsePrivateKey(
  pem: string,
  limits: KeyLimits = {},
): RsaPrivateKey {
  const { label, der } = decodePemLabelled(pem, PRIVATE_LABELS);
  if (label === ENCRYPTED_LABEL) throw new PassphraseRequired();
  return privateKeyFromPkcs1(
    label === PKCS8_LABEL ? pkcs1FromPkcs8(der) : der,
    limits,
  );
}

/**
 * Reads any private key PEM {@linkcode parsePrivateKey} reads, and also an
 * `ENCRYPTED PRIVATE KEY` (PBES2), opened with `passphrase`: PBKDF2 runs in
 * WebCrypto, off the main thread. Rejects as `parsePrivateKey` throws, and
 * with `WrongPassphrase`.
 */
export async function openPrivateKey(
  pem: string,
  passphrase: string,
  limits: KeyLimits = {},
): Promise<RsaPrivateKey> {
  const { label, der } = decodePemLabelled(pem, PRIVATE_LABELS);
  if (label !== ENCRYPTED_LABEL) return parsePrivateKey(pem, limits);
  const pkcs8 = await decryptPkcs8(der, passphrase, limits.maxIterations);
  return privateKeyFromPkcs1(pkcs1FromPkcs8(pkcs8), limits);
}

/**
 * Checks, at no cost to speak of, what {@linkcode openPrivateKey} checks
 * before it derives a key from the passphrase: the PEM, and for an
 * `ENCRYPTED PRIVATE KEY` its structure, parameters and iteration count.
 * Throws as `openPrivateKey` does, short of `WrongPassphrase`.
 */
export function checkSealedKey(pem: string, limits: KeyLimits = {}): void {
  const { label, der } = decodePemLabelled(pem, PRIVATE_LABELS);
  if (label === ENCRYPTED_LABEL) checkEncryptedPkcs8(der, limits.maxIterations);
}

/**
 * Checks, before any key is opened, that a ciphertext of `length` bytes is
 * as long as the modulus of some key size allowed; else throws
 * `MalformedCiphertext`. The exact check comes once the key is open
 * (`checkCiphertext`): an encrypted PKCS#8 key hides its modulus until
 * then, and its size alone cannot tell an RSA key from another kind, which
 * must be refused as such.
 */
export function checkCiphertextLength(
  length: number,
  limits: KeyLimits = {},
): void {
  const shortest = Math.ceil((limits.minBits ?? 2048) / 8);
  const longest = Math.ceil((limits.maxBits ?? 4096) / 8);
  if (length < shortest || length > longest) {
    throw new MalformedCiphertext(
      "is not as long as the modulus of any key size allowed",
    );
  }
}

/** A validated private key from PKCS#1 `RSAPrivateKey` DER. */
function privateKeyFromPkcs1(
  der: Uint8Array,
  limits: KeyLimits,
): RsaPrivateKey {
  const values = decodeIntegerSequence(der, integerBounds(limits, 9));
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
  const bits = bitLength(n);
  if (!balanced(p, bits) || !balanced(q, bits)) {
    throw new UnusableKey(
      "each prime must have about half the modulus's bits (within 1/16 of them)",
    );
  }
  const p1 = p - 1n, q1 = q - 1n;
  // e·d ≡ 1 mod lcm(p-1, q-1) exactly when it holds mod p-1 and mod q-1:
  // two remainders in place of a gcd, whose loop of bigint divisions cost
  // more than the rest of the checks together, on every request's key.
  const ed = e * d;
  if (d <= 0n || d >= n || ed % p1 !== 1n || ed % q1 !== 1n) {
    throw new UnusableKey("the private exponent does not match");
  }
  if (dp !== d % p1 || dq !== d % q1 || qi >= p || (qi * q) % p !== 1n) {
    throw new UnusableKey("the CRT values do not match");
  }
  return { n, e, size, der };
}
