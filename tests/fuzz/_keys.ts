// The fuzz test's RSA key material, all of it a function of the seed: primes
// from a seeded search (Miller-Rabin on bigints), client-side RSAES-PKCS1-v1_5
// with seeded padding, a seeded Fernet key. Nothing here asks the service or
// the platform for randomness, so a seed replays every request byte.

import {
  bigintToBytes,
  bitLength,
  byteLength,
  bytesToBigint,
  concat,
  gcd,
  lcm,
  modPow,
  privatePem,
  publicPem,
  rsaFromPrimes,
  type RsaPrivateIntegers,
  type RsaPublicIntegers,
} from "../_helpers/der.ts";
import { encoder } from "./_config.ts";
import { type Rng, streamRng } from "./_rng.ts";

/** A key pair: its integers and its PKCS#1 PEMs (python-rsa's layout). */
export interface Pair extends RsaPrivateIntegers {
  readonly name: string;
  readonly pub: string;
  readonly priv: string;
}

/** Odd primes below 2^12, for trial division. */
const SMALL_PRIMES: readonly number[] = (() => {
  const limit = 4096;
  const composite = new Uint8Array(limit);
  const out: number[] = [];
  for (let i = 3; i < limit; i += 2) {
    if (composite[i]) continue;
    out.push(i);
    for (let j = i * i; j < limit; j += 2 * i) composite[j] = 1;
  }
  return out;
})();

/** Miller-Rabin with `rounds` bases drawn from `rng`; `n` odd and > 2^12. */
export function millerRabin(n: bigint, rng: Rng, rounds = 24): boolean {
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  const bits = bitLength(n);
  witness: for (let i = 0; i < rounds; i++) {
    const a = 2n + rng.bigint(bits + 16) % (n - 3n);
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let r = 1; r < s; r++) {
      x = x * x % n;
      if (x === n - 1n) continue witness;
    }
    return false;
  }
  return true;
}

/**
 * A prime of exactly `bits` bits, its two top bits set (so that two of them
 * make a modulus of exactly 2·bits bits), with gcd(e, p - 1) = 1: a seeded
 * start, then the next odd numbers, sieved by small primes, then Miller-Rabin.
 */
export function seededPrime(rng: Rng, bits: number, e: bigint): bigint {
  for (;;) {
    const start = rng.bigint(bits) | (3n << BigInt(bits - 2)) | 1n;
    const residues = SMALL_PRIMES.map((p) => Number(start % BigInt(p)));
    for (let step = 0; step < 20 * bits; step += 2) {
      let sieved = false;
      for (let i = 0; i < SMALL_PRIMES.length; i++) {
        if ((residues[i] + step) % SMALL_PRIMES[i] === 0) {
          sieved = true;
          break;
        }
      }
      if (sieved) continue;
      const candidate = start + BigInt(step);
      if (bitLength(candidate) !== bits) break;
      if (gcd(e, candidate - 1n) !== 1n) continue;
      if (millerRabin(candidate, rng)) return candidate;
    }
  }
}

/** The integers and PEMs of `key`, named `name`. */
export function pairOf(name: string, key: RsaPrivateIntegers): Pair {
  return { ...key, name, pub: publicPem(key), priv: privatePem(key) };
}

/** An RSA key of `bits` bits and exponent `e`, from the seed's stream `name`. */
export function seededPair(
  seed: number,
  name: string,
  bits: number,
  e: bigint,
): Pair {
  const rng = streamRng(seed, `key ${name} ${bits} ${e}`);
  for (;;) {
    const p = seededPrime(rng, bits / 2, e);
    const q = seededPrime(rng, bits / 2, e);
    if (p === q) continue;
    const key = rsaFromPrimes(p, q, e);
    if (bitLength(key.n) !== bits) continue;
    return pairOf(name, key);
  }
}

/**
 * Odd p and q of `bits` / 2 bits that are NOT prime-checked (almost surely
 * composite), with every other value made consistent: such a key passes every
 * check short of a primality test.
 */
export function compositeKey(
  rng: Rng,
  bits: number,
  e: bigint,
): RsaPrivateIntegers {
  const odd = () => rng.bigint(bits / 2) | (3n << BigInt(bits / 2 - 2)) | 1n;
  for (;;) {
    const [p, q] = [odd(), odd()];
    if (gcd(p, q) !== 1n || gcd(e, lcm(p - 1n, q - 1n)) !== 1n) continue;
    return rsaFromPrimes(p, q, e);
  }
}

/**
 * RSAES-PKCS1-v1_5 encryption with padding from `rng`: EM = 00 02 PS 00 M
 * (PS nonzero, k - 3 - |M| bytes), then EM^e mod n as k bytes. Throws when
 * M is over k - 11 bytes.
 */
export function pkcs1Encrypt(
  rng: Rng,
  key: RsaPublicIntegers,
  message: Uint8Array,
): Uint8Array {
  const k = byteLength(key.n);
  if (message.length > k - 11) throw new RangeError("message too long");
  const em = concat(
    [0, 2],
    rng.nonZeroBytes(k - 3 - message.length),
    [0],
    message,
  );
  return bigintToBytes(modPow(bytesToBigint(em), key.e, key.n), k);
}

/** The keys, the Fernet key and the ciphertexts every fuzz case draws on. */
export interface BaseMaterial {
  /** 2048-bit, e = 65537: the key most cases use. */
  readonly a: Pair;
  /** Another 2048-bit key, e = 65537. */
  readonly b: Pair;
  /** 2048-bit, e = 3 (valid). */
  readonly e3: Pair;
  /** 1024-bit, e = 65537: below the service's minimum. */
  readonly small: Pair;
  /** A Fernet key: 32 seeded bytes, URL-safe base64. */
  readonly fernet: string;
  /** `fernet` encrypted under a, under b, under e3. */
  readonly ctA: string;
  readonly ctB: string;
  readonly ctE3: string;
  /** Encrypts `message` under `key` with the next seeded padding, as base64. */
  readonly encrypt: (key: RsaPublicIntegers, message: Uint8Array) => string;
  /** A seeded generator for other one-off material (the composite key). */
  readonly rng: Rng;
}

/** The base material of `seed`: the same seed, the same bytes. */
export function baseMaterial(seed: number): BaseMaterial {
  const a = seededPair(seed, "a", 2048, 65537n);
  const b = seededPair(seed, "b", 2048, 65537n);
  const e3 = seededPair(seed, "e3", 2048, 3n);
  const small = seededPair(seed, "small", 1024, 65537n);
  const rng = streamRng(seed, "material");
  const fernet = rng.bytes(32).toBase64({ alphabet: "base64url" });
  const encrypt = (key: RsaPublicIntegers, message: Uint8Array) =>
    pkcs1Encrypt(rng, key, message).toBase64();
  const plain = encoder.encode(fernet);
  return {
    a,
    b,
    e3,
    small,
    fernet,
    ctA: encrypt(a, plain),
    ctB: encrypt(b, plain),
    ctE3: encrypt(e3, plain),
    encrypt,
    rng,
  };
}
