/**
 * Bech32 (BIP 173, without its 90-character limit, as age specifies) for age
 * recipients and identities, through `@scure/base`. Decoding is strict:
 * one case throughout, a valid checksum, the expected prefix, and a whole
 * number of bytes; each failure has its own error.
 *
 * @example
 * ```ts
 * import { decodeBech32, encodeBech32 } from "./bech32.ts";
 *
 * const text = encodeBech32("age", new Uint8Array(32));
 * decodeBech32(text, "age"); // 32 zero bytes
 * ```
 * @module
 */

import { bech32 } from "@scure/base";
import { MalformedBech32, UnexpectedAgeKey } from "./errors.ts";
import type { Bytes } from "./_subtle.ts";

/** Longest Bech32 string decoded: an `age1pq` recipient is 1,959. */
export const MAX_BECH32_LENGTH = 2048;

/** `bytes` as Bech32 with prefix `hrp`, in `hrp`'s case. */
export function encodeBech32(hrp: string, bytes: Uint8Array): string {
  const lower = bech32.encode(hrp.toLowerCase(), bech32.toWords(bytes), false);
  return hrp === hrp.toUpperCase() ? lower.toUpperCase() : lower;
}

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
/** Each character's 5-bit value, or -1. */
const VALUES = new Int8Array(128).fill(-1);
for (const [i, c] of [...CHARSET].entries()) VALUES[c.charCodeAt(0)] = i;
const GENERATORS = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(chk: number, value: number): number {
  const top = chk >>> 25;
  chk = ((chk & 0x1ffffff) << 5) ^ value;
  for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GENERATORS[i];
  return chk;
}

/**
 * The bytes of `text`, a Bech32 string whose prefix is `hrp` (in either
 * case). Throws `MalformedBech32` for anything not Bech32, and
 * `UnexpectedAgeKey` (naming `what`) for another prefix.
 *
 * Decoding is written out here (BIP 173's checksum and 5-to-8-bit regrouping)
 * rather than done by `@scure/base`, which takes about 0.3 ms for one
 * 1,959-character `age1pq` recipient: more than half an X-Wing
 * encapsulation, for each of a group's 256 recipients. The unit tests hold
 * it to `@scure/base`'s answers.
 */
export function decodeBech32(
  text: string,
  hrp: string,
  what = `a Bech32 string starting "${hrp.toLowerCase()}1"`,
): Bytes {
  if (text.length > MAX_BECH32_LENGTH) {
    throw new MalformedBech32(
      `longer than ${MAX_BECH32_LENGTH} characters`,
    );
  }
  if (!/^[\x21-\x7e]+$/.test(text)) {
    throw new MalformedBech32("holds characters outside printable ASCII");
  }
  if (text !== text.toLowerCase() && text !== text.toUpperCase()) {
    throw new MalformedBech32("mixes upper and lower case");
  }
  const lower = text.toLowerCase();
  const separator = lower.lastIndexOf("1");
  if (separator < 1) throw new MalformedBech32("has no prefix and separator");
  const prefix = lower.slice(0, separator);
  if (prefix !== hrp.toLowerCase()) throw new UnexpectedAgeKey(what);
  const data = lower.length - separator - 1;
  if (data < 6) throw new MalformedBech32("is too short for its checksum");
  let chk = 1;
  for (let i = 0; i < prefix.length; i++) {
    chk = polymod(chk, prefix.charCodeAt(i) >> 5);
  }
  chk = polymod(chk, 0);
  for (let i = 0; i < prefix.length; i++) {
    chk = polymod(chk, prefix.charCodeAt(i) & 31);
  }
  const out = new Uint8Array(Math.floor((data - 6) * 5 / 8));
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = separator + 1; i < lower.length; i++) {
    const value = VALUES[lower.charCodeAt(i)];
    if (value === -1) {
      throw new MalformedBech32("a character is not in its alphabet");
    }
    chk = polymod(chk, value);
    if (i >= lower.length - 6) continue;
    acc = ((acc << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = acc >> bits;
    }
  }
  if (chk !== 1) throw new MalformedBech32("the checksum does not match");
  // BIP 173: at most 4 padding bits, all zero.
  if (bits > 4 || (acc & ((1 << bits) - 1)) !== 0) {
    throw new MalformedBech32("its data is not a whole number of bytes");
  }
  return out;
}
