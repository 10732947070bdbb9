// Private: arithmetic on native bigints for the crypto layer: conversions to
// and from big-endian bytes, bit length, modular exponentiation and gcd.

/**
 * Big-endian unsigned bytes of a non-negative bigint: the fewest bytes, or
 * exactly `length` bytes, zero-padded on the left, when `length` is given.
 */
export function bigintToBytes(value: bigint, length?: number): Uint8Array {
  let hex = value === 0n ? "" : value.toString(16);
  if (hex.length % 2) hex = "0" + hex;
  if (length !== undefined) {
    if (hex.length > 2 * length) throw new RangeError("value too large");
    hex = hex.padStart(2 * length, "0");
  }
  return Uint8Array.fromHex(hex);
}

/** A non-negative bigint from big-endian unsigned bytes. */
export function bytesToBigint(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt("0x" + bytes.toHex());
}

/** Number of bits in a non-negative bigint (0 for 0). */
export function bitLength(value: bigint): number {
  return value === 0n ? 0 : value.toString(2).length;
}

/**
 * base^exponent mod modulus, square-and-multiply. Not constant-time: for
 * public-key operations only, which need no side-channel care.
 */
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

/** Greatest common divisor of two non-negative bigints. */
export function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
