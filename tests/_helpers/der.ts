// Test toolkit for DER, PEM and bigint arithmetic: the one place tests build
// PKCS#1 keys by hand, canonical or deliberately not (long-form lengths, an
// extra leading zero, a wrong declared length, indefinite lengths), and read
// them back. Independent of lib/crypto on purpose: the tests check the
// service's encoder and parser against this, not against themselves.
//
//   privateDer(key, { d: key.d + key.n })   // one field changed
//   publicDer(key, { e: 1n })
//   privateDer(key, { version: 1n })
//   privateDer(key, { qi: null })            // 8 integers
//   publicDer(key, { n: derInteger(key.n, { extraZero: true }) })

/** Concatenates byte arrays (or plain arrays of byte values). */
export function concat(
  ...parts: (Uint8Array | readonly number[])[]
): Uint8Array {
  const arrays = parts.map((p) =>
    p instanceof Uint8Array ? p : Uint8Array.from(p)
  );
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/**
 * Big-endian unsigned bytes of a non-negative bigint: minimal (0n gives no
 * bytes), or left-padded with zeros to `length` when given (never truncated:
 * a value longer than `length` comes back at its own length).
 */
export function bigintToBytes(value: bigint, length = 0): Uint8Array {
  if (value < 0n) throw new RangeError("bigintToBytes: negative value");
  let hex = value === 0n ? "" : value.toString(16);
  if (hex.length % 2) hex = "0" + hex;
  const raw = Uint8Array.fromHex(hex);
  return raw.length >= length
    ? raw
    : concat(new Uint8Array(length - raw.length), raw);
}

/** The non-negative bigint of big-endian unsigned bytes (empty gives 0n). */
export function bytesToBigint(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt("0x" + bytes.toHex());
}

/** Number of significant bits of a non-negative bigint (0 for 0n and below). */
export function bitLength(value: bigint): number {
  return value <= 0n ? 0 : value.toString(2).length;
}

/** Number of bytes needed for a modulus: ceil(bitLength / 8). */
export function byteLength(value: bigint): number {
  return Math.ceil(bitLength(value) / 8);
}

/** Ways to write a DER length other than the canonical one. */
export interface LengthOptions {
  /** Long form even where the short form fits (non-canonical). */
  readonly long?: boolean;
  /**
   * Long form with exactly this many length octets, zero-padded (non-canonical
   * when more than needed). Implies `long`.
   */
  readonly octets?: number;
  /** Declare this length instead of the content's real one. */
  readonly declared?: number;
  /** BER indefinite length: `0x80`, then the content, then `00 00`. */
  readonly indefinite?: boolean;
}

/** The length octets of a DER TLV; canonical unless `options` say otherwise. */
export function derLength(
  length: number,
  options: LengthOptions = {},
): Uint8Array {
  if (options.indefinite) return Uint8Array.of(0x80);
  const n = options.declared ?? length;
  if (n < 0x80 && !options.long && options.octets === undefined) {
    return Uint8Array.of(n);
  }
  const out: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) {
    out.unshift(rest % 256);
  }
  while (out.length < (options.octets ?? 1)) out.unshift(0);
  return Uint8Array.of(0x80 | out.length, ...out);
}

/** A type-length-value: `tag`, the length of `content`, `content`. */
export function tlv(
  tag: number,
  content: Uint8Array,
  options: LengthOptions = {},
): Uint8Array {
  const eoc = options.indefinite ? [0, 0] : [];
  return concat([tag], derLength(content.length, options), content, eoc);
}

/** Non-canonical INTEGER forms, on top of the length's. */
export interface IntegerOptions extends LengthOptions {
  /** One more leading 0x00 than the minimal encoding (non-canonical). */
  readonly extraZero?: boolean;
}

/**
 * A DER INTEGER of any bigint: minimal two's complement (`0n` is `02 01 00`,
 * `-1n` is `02 01 ff`, a value with its top bit set gets a leading `00`).
 * For a positive value written without its sign byte (read as negative),
 * use `tlv(0x02, bigintToBytes(value))`.
 */
export function derInteger(
  value: bigint,
  options: IntegerOptions = {},
): Uint8Array {
  let bytes: Uint8Array;
  if (value >= 0n) {
    bytes = bigintToBytes(value);
    if (bytes.length === 0 || bytes[0] & 0x80) bytes = concat([0], bytes);
  } else {
    let size = 1;
    while (value < -(1n << BigInt(8 * size - 1))) size++;
    bytes = bigintToBytes((1n << BigInt(8 * size)) + value, size);
  }
  if (options.extraZero) bytes = concat([0], bytes);
  return tlv(0x02, bytes, options);
}

/** A DER SEQUENCE of already-encoded items. */
export function derSequence(...items: Uint8Array[]): Uint8Array {
  return tlv(0x30, concat(...items));
}

/** A SEQUENCE of the given items with a non-canonical length. */
export function derSequenceWith(
  options: LengthOptions,
  ...items: Uint8Array[]
): Uint8Array {
  return tlv(0x30, concat(...items), options);
}

/** An element of a hand-built SEQUENCE: a value, or encoded bytes as they are. */
export type Element = bigint | Uint8Array;

/** Encodes an element: a bigint as a minimal INTEGER, bytes verbatim. */
export function element(value: Element): Uint8Array {
  return typeof value === "bigint" ? derInteger(value) : value;
}

/** A SEQUENCE of INTEGERs (bigints) and verbatim pre-encoded items. */
export function integerSequence(values: readonly Element[]): Uint8Array {
  return derSequence(...values.map(element));
}

/**
 * PEM armour as python-rsa's `save_pkcs1()` writes it: BEGIN line, base64 in
 * 64-column lines, END line, LF line ends, a final LF.
 */
export function pem(label: string, der: Uint8Array): string {
  const body = der.toBase64();
  const lines = [`-----BEGIN ${label}-----`];
  for (let i = 0; i < body.length; i += 64) lines.push(body.slice(i, i + 64));
  lines.push(`-----END ${label}-----`, "");
  return lines.join("\n");
}

/** The body of the first PEM block of `text` as bytes, or undefined. */
export function pemBody(text: string): Uint8Array | undefined {
  const match = /-----BEGIN [^\n]*?-----([\s\S]*?)-----END/.exec(text);
  if (match === null) return undefined;
  try {
    return Uint8Array.fromBase64(match[1].replace(/\s+/g, ""));
  } catch {
    return undefined;
  }
}

/** A TLV read leniently: its tag and its content. */
export interface Tlv {
  readonly tag: number;
  readonly content: Uint8Array;
}

/** The TLV at `at` (definite lengths of up to 4 octets), and where it ends. */
export function readTlv(
  der: Uint8Array,
  at: number,
): [Tlv, number] | undefined {
  if (at + 2 > der.length) return undefined;
  const tag = der[at];
  let length = der[at + 1];
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > der.length) {
      return undefined;
    }
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i];
    start += count;
  }
  if (start + length > der.length) return undefined;
  return [
    { tag, content: der.subarray(start, start + length) },
    start + length,
  ];
}

/** The items inside the constructed TLV at the start of `der`. */
export function children(der: Uint8Array): Tlv[] | undefined {
  const outer = readTlv(der, 0);
  if (outer === undefined || !(outer[0].tag & 0x20)) return undefined;
  const out: Tlv[] = [];
  const inner = outer[0].content;
  for (let at = 0; at < inner.length;) {
    const item = readTlv(inner, at);
    if (item === undefined) return undefined;
    out.push(item[0]);
    at = item[1];
  }
  return out;
}

/**
 * The INTEGERs of a DER `SEQUENCE { INTEGER, ... }`, read leniently (any
 * definite length form), or undefined when it is something else.
 */
export function readIntegerSequence(der: Uint8Array): bigint[] | undefined {
  if (der[0] !== 0x30) return undefined;
  const items = children(der);
  if (items === undefined || items.some((item) => item.tag !== 0x02)) {
    return undefined;
  }
  return items.map((item) => bytesToBigint(item.content));
}

/** The INTEGERs inside the first PEM block of `text`, or undefined. */
export function pemIntegers(text: string): bigint[] | undefined {
  const der = pemBody(text);
  return der === undefined ? undefined : readIntegerSequence(der);
}

/** Greatest common divisor of two non-negative bigints. */
export function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Least common multiple of two positive bigints. */
export function lcm(a: bigint, b: bigint): bigint {
  return a / gcd(a, b) * b;
}

/**
 * The inverse of `a` modulo `m` (in [0, m)), by the extended Euclidean
 * algorithm. Throws when gcd(a, m) is not 1.
 */
export function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [((a % m) + m) % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new RangeError("modInverse: not invertible");
  return ((s0 % m) + m) % m;
}

/** `base` ** `exponent` mod `modulus`, square-and-multiply; exponent >= 0. */
export function modPow(
  base: bigint,
  exponent: bigint,
  modulus: bigint,
): bigint {
  if (modulus === 1n) return 0n;
  let result = 1n;
  base = ((base % modulus) + modulus) % modulus;
  for (; exponent > 0n; exponent >>= 1n) {
    if (exponent & 1n) result = result * base % modulus;
    base = base * base % modulus;
  }
  return result;
}

/** The integers of a PKCS#1 RSAPublicKey. */
export interface RsaPublicIntegers {
  readonly n: bigint;
  readonly e: bigint;
}

/** The integers of a PKCS#1 RSAPrivateKey (version aside). */
export interface RsaPrivateIntegers extends RsaPublicIntegers {
  readonly d: bigint;
  readonly p: bigint;
  readonly q: bigint;
  readonly dp: bigint;
  readonly dq: bigint;
  readonly qi: bigint;
}

/**
 * Changes to a key's fields: a bigint (a minimal INTEGER), bytes (written
 * verbatim: a non-canonical INTEGER, another type), or `null` (the field is
 * left out). `extra` appends items after the last field.
 */
export type Overrides<T> =
  & { readonly [K in keyof T]?: Element | null }
  & { readonly extra?: readonly Element[] };

/** Fields of RSAPublicKey in order. */
export const PUBLIC_FIELDS = ["n", "e"] as const;
/** Fields of RSAPrivateKey in order (version first). */
export const PRIVATE_FIELDS = [
  "version",
  "n",
  "e",
  "d",
  "p",
  "q",
  "dp",
  "dq",
  "qi",
] as const;

function fields(
  order: readonly string[],
  base: Record<string, Element>,
  overrides: Record<string, unknown>,
): Element[] {
  const out: Element[] = [];
  for (const name of order) {
    const value = Object.hasOwn(overrides, name)
      ? overrides[name] as Element | null | undefined
      : base[name];
    if (value !== null && value !== undefined) out.push(value);
  }
  return [...out, ...(overrides.extra as Element[] | undefined ?? [])];
}

/**
 * DER of a PKCS#1 RSAPublicKey `SEQUENCE { n, e }` from `base`'s integers,
 * with `overrides`, e.g. `publicDer(key, { e: 1n })`.
 */
export function publicDer(
  base: RsaPublicIntegers,
  overrides: Overrides<RsaPublicIntegers> = {},
): Uint8Array {
  return derSequence(
    ...fields(PUBLIC_FIELDS, { n: base.n, e: base.e }, overrides).map(element),
  );
}

/**
 * DER of a PKCS#1 RSAPrivateKey `SEQUENCE { version (0), n, e, d, p, q, dp,
 * dq, qi }` from `base`'s integers, with `overrides`, e.g.
 * `privateDer(key, { d: key.d + key.n })` or `privateDer(key, { version: 1n })`.
 */
export function privateDer(
  base: RsaPrivateIntegers,
  overrides: Overrides<RsaPrivateIntegers & { version: bigint }> = {},
): Uint8Array {
  const { n, e, d, p, q, dp, dq, qi } = base;
  return derSequence(
    ...fields(
      PRIVATE_FIELDS,
      { version: 0n, n, e, d, p, q, dp, dq, qi },
      overrides,
    ).map(element),
  );
}

/** `RSA PUBLIC KEY` PEM of `publicDer(base, overrides)`. */
export function publicPem(
  base: RsaPublicIntegers,
  overrides: Overrides<RsaPublicIntegers> = {},
): string {
  return pem("RSA PUBLIC KEY", publicDer(base, overrides));
}

/** `RSA PRIVATE KEY` PEM of `privateDer(base, overrides)`. */
export function privatePem(
  base: RsaPrivateIntegers,
  overrides: Overrides<RsaPrivateIntegers & { version: bigint }> = {},
): string {
  return pem("RSA PRIVATE KEY", privateDer(base, overrides));
}

/**
 * The full private key of primes `p` and `q` and exponent `e`:
 * d = e^-1 mod lcm(p-1, q-1), dp, dq, qi = q^-1 mod p. Throws when `e` is
 * not invertible.
 */
export function rsaFromPrimes(
  p: bigint,
  q: bigint,
  e: bigint,
): RsaPrivateIntegers {
  const d = modInverse(e, lcm(p - 1n, q - 1n));
  return {
    n: p * q,
    e,
    d,
    p,
    q,
    dp: d % (p - 1n),
    dq: d % (q - 1n),
    qi: modInverse(q, p),
  };
}

const RSA_OID = Uint8Array.fromHex("06092a864886f70d010101");
const RSA_ALGORITHM = derSequence(RSA_OID, Uint8Array.of(0x05, 0x00));

/** DER of an X.509 SubjectPublicKeyInfo (`PUBLIC KEY`) holding `publicDer`. */
export function spkiDer(publicKeyDer: Uint8Array): Uint8Array {
  return derSequence(RSA_ALGORITHM, tlv(0x03, concat([0], publicKeyDer)));
}

/** DER of a PKCS#8 PrivateKeyInfo (`PRIVATE KEY`) holding `privateDer`. */
export function pkcs8Der(privateKeyDer: Uint8Array): Uint8Array {
  return derSequence(derInteger(0n), RSA_ALGORITHM, tlv(0x04, privateKeyDer));
}
