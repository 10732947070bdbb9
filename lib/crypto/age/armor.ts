/**
 * age's ASCII armor (c2sp.org/age, "ASCII armor"): strict PEM (RFC 7468,
 * section 3) with the label `AGE ENCRYPTED FILE`, padded canonical base64 in
 * 64-column lines. Decoding accepts whitespace before and after the block and
 * LF or CRLF line ends, and nothing else non-canonical.
 *
 * @example
 * ```ts
 * import { armor, dearmor } from "./armor.ts";
 *
 * const text = armor(new Uint8Array([1, 2, 3]));
 * dearmor(text); // Uint8Array [1, 2, 3]
 * ```
 * @module
 */

import { AgeDecryptionFailed } from "./errors.ts";
import type { Bytes } from "./_subtle.ts";

const BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----";
const END = "-----END AGE ENCRYPTED FILE-----";
const LINE = /^[A-Za-z0-9+/=]{1,64}$/;

/** Whether `text` starts (after whitespace) like an armored age file. */
export function isArmored(text: string): boolean {
  return text.trimStart().startsWith(BEGIN);
}

/** `bytes` armored, with a final line feed. */
export function armor(bytes: Uint8Array): string {
  const encoded = bytes.toBase64();
  const lines = [BEGIN];
  for (let i = 0; i < encoded.length; i += 64) {
    lines.push(encoded.slice(i, i + 64));
  }
  lines.push(END);
  return lines.join("\n") + "\n";
}

/**
 * The bytes of an armored file. Throws `AgeDecryptionFailed` ("armor
 * failure") for anything but one strict block within whitespace.
 */
export function dearmor(text: string): Bytes {
  const failure = () => new AgeDecryptionFailed("armor failure");
  const lines = text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "").split("\n")
    .map((line) => line.endsWith("\r") ? line.slice(0, -1) : line);
  if (lines.length < 2 || lines[0] !== BEGIN || lines.at(-1) !== END) {
    throw failure();
  }
  const body = lines.slice(1, -1);
  for (const [i, line] of body.entries()) {
    const last = i === body.length - 1;
    if (!LINE.test(line) || (!last && line.length !== 64)) throw failure();
  }
  try {
    return Uint8Array.fromBase64(body.join(""), {
      lastChunkHandling: "strict",
    });
  } catch {
    throw failure();
  }
}
