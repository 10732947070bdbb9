// The fuzz test's RSA key material, all of it a function of the seed: primes
// from a seeded search (Miller-Rabin on bigints), client-side RSAES-PKCS1-v1_5
// with seeded padding, a seeded Fernet key. Nothing here asks the service or
// the platform for randomness, so a seed replays every request byte.

import { createHash } from "node:crypto";
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

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
};

const xor = (x: Uint8Array, y: Uint8Array) => x.map((b, i) => b ^ y[i]);

/** MGF1 with SHA-256 (RFC 8017, B.2.1). */
export function mgf1(seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let counter = 0, at = 0; at < length; counter++, at += 32) {
    const c = Uint8Array.of(
      counter >>> 24,
      (counter >>> 16) & 255,
      (counter >>> 8) & 255,
      counter & 255,
    );
    out.set(sha256(seed, c).subarray(0, Math.min(32, length - at)), at);
  }
  return out;
}

/** SHA-256 of the empty label: what every OAEP-SHA-256 block starts with. */
const EMPTY_LABEL_HASH = sha256(new Uint8Array());

/** Deviations from EME-OAEP that a crafted ciphertext may carry. */
export interface OaepTweaks {
  /** Hash this label instead of the empty one. */
  readonly label?: Uint8Array;
  /** The first byte of EM (0 in a valid block). */
  readonly firstByte?: number;
  /** The byte between PS and M (1 in a valid block). */
  readonly separator?: number;
}

/**
 * EME-OAEP encoding with SHA-256, MGF1-SHA-256 and an empty label (RFC 8017,
 * 7.1.1), the 32-byte seed from `rng`: a k-byte EM. Throws when M is over
 * k - 66 bytes.
 */
export function oaepEncode(
  rng: Rng,
  k: number,
  message: Uint8Array,
  tweaks: OaepTweaks = {},
): Uint8Array {
  if (message.length > k - 66) throw new RangeError("message too long");
  const lHash = tweaks.label ? sha256(tweaks.label) : EMPTY_LABEL_HASH;
  const db = concat(
    lHash,
    new Uint8Array(k - message.length - 66),
    [tweaks.separator ?? 1],
    message,
  );
  const seed = rng.bytes(32);
  const maskedDb = xor(db, mgf1(seed, k - 33));
  const maskedSeed = xor(seed, mgf1(maskedDb, 32));
  return concat([tweaks.firstByte ?? 0], maskedSeed, maskedDb);
}

/** RSAES-OAEP-SHA-256 with a seeded seed: EM^e mod n as k bytes. */
export function oaepEncrypt(
  rng: Rng,
  key: RsaPublicIntegers,
  message: Uint8Array,
  tweaks: OaepTweaks = {},
): Uint8Array {
  const k = byteLength(key.n);
  const em = oaepEncode(rng, k, message, tweaks);
  return bigintToBytes(modPow(bytesToBigint(em), key.e, key.n), k);
}

/** EME-OAEP-SHA-256 decoding: M, or null when EM is not a valid block. */
export function oaepDecode(em: Uint8Array): Uint8Array | null {
  const k = em.length;
  if (k < 66 || em[0] !== 0) return null;
  const maskedDb = em.subarray(33);
  const seed = xor(em.subarray(1, 33), mgf1(maskedDb, 32));
  const db = xor(maskedDb, mgf1(seed, k - 33));
  if (db.subarray(0, 32).toHex() !== EMPTY_LABEL_HASH.toHex()) return null;
  let i = 32;
  while (i < db.length && db[i] === 0) i++;
  return i < db.length && db[i] === 1 ? db.subarray(i + 1) : null;
}

/** EME-PKCS1-v1_5 decoding: M, or null (PS of at least 8 non-zero bytes). */
export function pkcs1Decode(em: Uint8Array): Uint8Array | null {
  if (em[0] !== 0 || em[1] !== 2) return null;
  let i = 2;
  while (i < em.length && em[i] !== 0) i++;
  return i < em.length && i >= 10 ? em.subarray(i + 1) : null;
}

/** The RSA private operation c^d mod n by the CRT, as k bytes. */
export function rawDecrypt(
  key: RsaPrivateIntegers,
  ciphertext: Uint8Array,
): Uint8Array {
  const { p, q, dp, dq, qi, n } = key;
  const c = bytesToBigint(ciphertext);
  const m1 = modPow(c % p, dp, p);
  const m2 = modPow(c % q, dq, q);
  const h = (((m1 - m2) % p + p) % p) * qi % p;
  return bigintToBytes(m2 + h * q, byteLength(n));
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
