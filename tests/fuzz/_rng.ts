// The fuzz test's only source of randomness: mulberry32, seeded. Every byte
// a request holds comes from one of these generators, so a seed replays a
// run exactly.

/** A seeded PRNG (mulberry32): the same seed gives the same draws. */
export class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** One of `items`, uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  /** `n` bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  /** `n` bytes, none of them zero (PKCS#1 v1.5 padding). */
  nonZeroBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = 1 + this.int(255);
    return out;
  }
  /** A non-negative bigint of exactly `bits` random bits (top bit may be 0). */
  bigint(bits: number): bigint {
    const bytes = this.bytes(Math.ceil(bits / 8));
    const extra = bytes.length * 8 - bits;
    if (bytes.length) bytes[0] &= 0xff >>> extra;
    return bytes.length === 0 ? 0n : BigInt("0x" + bytes.toHex());
  }
  /** One of `items`, with probability proportional to its weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let x = this.next() * total;
    for (const [item, w] of items) {
      x -= w;
      if (x < 0) return item;
    }
    return items[items.length - 1][0];
  }
}

/** A 32-bit avalanche mix of several 32-bit words (murmur3 finaliser). */
export function mix(...words: number[]): number {
  let h = 0x5bd1e995;
  for (const w of words) {
    h = Math.imul(h ^ (w >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A 32-bit hash of a label (FNV-1a over its UTF-16 units). */
function labelHash(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/**
 * An independent generator for one named use of the seed (a key, the
 * padding of the fixed ciphertexts): adding draws to one use does not shift
 * another's.
 */
export function streamRng(seed: number, label: string): Rng {
  return new Rng(mix(seed, labelHash(label)));
}

/**
 * The generator for fuzz case `index` (and retry `attempt`) of `seed`: a case
 * depends on the seed and its index only, not on how many draws the cases
 * before it took.
 */
export function caseRng(seed: number, index: number, attempt: number): Rng {
  let h = Math.imul(seed ^ 0x5bd1e995, 0x85ebca6b) ^
    Math.imul(index + 1, 0x9e3779b9) ^ Math.imul(attempt + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return new Rng(h);
}
