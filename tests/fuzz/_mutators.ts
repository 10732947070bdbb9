// Mutators: small seeded edits of bytes, JSON values, PEM text and base64
// ciphertexts. Each returns the edited value and notes saying what it did.

import { concat } from "../_helpers/der.ts";
import { encoder } from "./_config.ts";
import type { Rng } from "./_rng.ts";

/** The standard base64 alphabet. */
export const BASE64 =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/** Characters JSON is made of. */
export const JSONISH = '{}[]":,\\ \t\n0123456789.-+eEtruefalsnul"typeingfrkd_';
/** Bytes that matter to a JSON parser. */
export const INTERESTING_BYTES = encoder.encode(
  '{}[]":,\\ 0123456789-.etfnu\n\t',
);
/** Byte sequences that are not UTF-8 (overlong, surrogates, truncated). */
export const BAD_UTF8: readonly (readonly number[])[] = [
  [0xff],
  [0xfe],
  [0xc0, 0x80],
  [0xc0, 0xaf],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0x80],
  [0xbf],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
];

/** `text` with the JSON string `"@@X@@"` replaced by raw bytes. */

/** `ops` random byte edits of `input`: flip, set, insert, delete, copy. */
export function mutateBytes(
  r: Rng,
  input: Uint8Array,
  ops: number,
): [Uint8Array, string[]] {
  let b = input;
  const notes: string[] = [];
  for (let k = 0; k < ops; k++) {
    const i = r.int(b.length + 1);
    switch (r.int(5)) {
      case 0:
        if (i < b.length) {
          const bit = r.int(8);
          b = b.slice();
          b[i] ^= 1 << bit;
          notes.push(`flip bit ${bit} of byte ${i}`);
        }
        break;
      case 1:
        if (i < b.length) {
          b = b.slice();
          b[i] = r.pick([...INTERESTING_BYTES, 0x00, 0x7f, 0x80, 0xff]);
          notes.push(`set byte ${i}=${b[i].toString(16)}`);
        }
        break;
      case 2: {
        const x = r.chance(0.7) ? r.pick([...INTERESTING_BYTES]) : r.int(256);
        b = concat(b.subarray(0, i), [x], b.subarray(i));
        notes.push(`insert ${x.toString(16)} at ${i}`);
        break;
      }
      case 3: {
        const n = r.range(1, 16);
        b = concat(b.subarray(0, i), b.subarray(i + n));
        notes.push(`delete ${n} at ${i}`);
        break;
      }
      default: {
        const n = r.range(1, 32);
        const j = r.int(b.length + 1);
        b = concat(b.subarray(0, j), b.subarray(i, i + n), b.subarray(j));
        notes.push(`copy ${n} from ${i} to ${j}`);
      }
    }
  }
  return [b, notes];
}

/** Characters to insert into a PEM body. */
export const PEM_INSERTS = [
  ...BASE64,
  "=",
  "*",
  "-",
  ".",
  " ",
  "\t",
  "\r",
  "\n",
  "\\",
  '"',
  "\u0000",
  "é",
  "\u2028",
];

/** `ops` random edits of PEM text: its body, its lines, its armour. */
export function mutatePem(
  r: Rng,
  pem: string,
  ops: number,
): [string, string[]] {
  let text = pem;
  const notes: string[] = [];
  for (let k = 0; k < ops; k++) {
    const start = Math.max(0, text.indexOf("\n") + 1);
    const endAt = text.lastIndexOf("-----END");
    const end = endAt > start ? endAt : text.length;
    const span = Math.max(1, end - start);
    const at = start + r.int(span);
    switch (r.int(10)) {
      case 0:
      case 1: {
        const c = r.pick([...BASE64]);
        notes.push(`body[${at}] ${JSON.stringify(text[at])}->${c}`);
        text = text.slice(0, at) + c + text.slice(at + 1);
        break;
      }
      case 2: {
        const c = r.pick(PEM_INSERTS);
        notes.push(`insert ${JSON.stringify(c)} at ${at}`);
        text = text.slice(0, at) + c + text.slice(at);
        break;
      }
      case 3: {
        const n = r.range(1, 8);
        notes.push(`delete ${n} at ${at}`);
        text = text.slice(0, at) + text.slice(at + n);
        break;
      }
      case 4: {
        const lines = text.split("\n");
        const i = r.range(1, Math.max(1, lines.length - 3));
        const op = r.pick(["delete", "duplicate", "swap"] as const);
        if (op === "delete") lines.splice(i, 1);
        else if (op === "duplicate") lines.splice(i, 0, lines[i]);
        else [lines[i], lines[i + 1]] = [lines[i + 1], lines[i]];
        notes.push(`${op} line ${i}`);
        text = lines.join("\n");
        break;
      }
      case 5:
        notes.push(`truncate body at ${at}`);
        text = text.slice(0, at) + "\n" + text.slice(end);
        break;
      case 6: {
        const cut = r.int(text.length);
        notes.push(`cut at ${cut}`);
        text = text.slice(0, cut);
        break;
      }
      case 7: {
        const pos = r.chance(0.5)
          ? r.int(start)
          : end + r.int(Math.max(1, text.length - end));
        const c = r.pick([..."ABCXYZ -\n", "a"]);
        notes.push(`armour[${pos}] ->${JSON.stringify(c)}`);
        text = text.slice(0, pos) + c + text.slice(pos + 1);
        break;
      }
      case 8:
        notes.push("padding");
        text = text.includes("=")
          ? text.replace("=", "A")
          : text.replace("\n-----END", "=\n-----END");
        break;
      default: {
        const lines = text.split("\n");
        const i = r.range(1, Math.max(1, lines.length - 3));
        notes.push(`lower-case line ${i}`);
        lines[i] = (lines[i] ?? "").toLowerCase();
        text = lines.join("\n");
      }
    }
  }
  return [text, notes];
}

/** 1 to 3 random edits of base64 text: replace, delete, insert, cut, replace all. */
export function mutateCiphertext(r: Rng, text: string): [string, string[]] {
  let ct = text;
  const notes: string[] = [];
  for (let k = r.range(1, 3); k > 0; k--) {
    const at = r.int(ct.length + 1);
    switch (r.int(5)) {
      case 0: {
        const c = r.pick([...BASE64]);
        notes.push(`[${at}]->${c}`);
        ct = ct.slice(0, at) + c + ct.slice(at + 1);
        break;
      }
      case 1: {
        const n = r.range(1, 4);
        notes.push(`delete ${n} at ${at}`);
        ct = ct.slice(0, at) + ct.slice(at + n);
        break;
      }
      case 2: {
        const c = r.pick([
          ...BASE64,
          "=",
          " ",
          "\n",
          "-",
          "_",
          "%",
          ".",
          "\u0000",
          "é",
        ]);
        notes.push(`insert ${JSON.stringify(c)} at ${at}`);
        ct = ct.slice(0, at) + c + ct.slice(at);
        break;
      }
      case 3:
        notes.push(`cut at ${at}`);
        ct = ct.slice(0, at);
        break;
      default: {
        const bytes = r.bytes(r.pick([256, 256, 256, r.range(0, 600)]));
        notes.push(`random ${bytes.length} bytes`);
        ct = bytes.toBase64();
      }
    }
  }
  return [ct, notes];
}

/** JSON tokens written raw (numbers JSON.stringify never writes). */
export const RAW_TOKENS = [
  "1e400",
  "-0",
  "-0.0e-0",
  "1".repeat(400),
  "0.1e-999",
  "[]",
  "{}",
  "true",
];

/** A value of another JSON type (or a raw token) to put where `original` was. */
export function confusingValue(r: Rng, original: unknown): [string, string] {
  const choices: [string, unknown][] = [
    ["0", 0],
    ["-1", -1],
    ["1.5", 1.5],
    ["1e308", 1e308],
    ["2^53+1", 2 ** 53 + 1],
    ["true", true],
    ["false", false],
    ["null", null],
    ["[]", []],
    ["[value]", [original]],
    ["{}", {}],
    ['{"value":value}', { value: original }],
    ["[[[[value]]]]", [[[[original]]]]],
    ["nested objects", { a: { b: { c: original } } }],
    ['""', ""],
    ['" "', " "],
    ['"123"', "123"],
    [
      "array of chars",
      typeof original === "string" ? [...original.slice(0, 50)] : [1, 2],
    ],
    ['{"toString":value}', { toString: original }],
  ];
  if (r.chance(0.15)) {
    const token = r.pick(RAW_TOKENS);
    return [`raw ${token.slice(0, 20)}`, token];
  }
  const [note, value] = r.pick(choices);
  return [note, JSON.stringify(value)];
}
