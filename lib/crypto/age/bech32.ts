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

/**
 * The bytes of `text`, a Bech32 string whose prefix is `hrp` (in either
 * case). Throws `MalformedBech32` for anything not Bech32, and
 * `UnexpectedAgeKey` (naming `what`) for another prefix.
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
  if (lower.slice(0, separator) !== hrp.toLowerCase()) {
    throw new UnexpectedAgeKey(what);
  }
  let words: number[];
  try {
    words = bech32.decode(lower as `${string}1${string}`, false).words;
  } catch {
    throw new MalformedBech32(
      "a character is not in its alphabet, or the checksum does not match",
    );
  }
  try {
    return new Uint8Array(bech32.fromWords(words));
  } catch {
    throw new MalformedBech32("its data is not a whole number of bytes");
  }
}
