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

/** Whether `text` starts (after whitespace) like an armored age file. */
export function isArmored(text: string): boolean {
  return text.trimStart().startsWith(BEGIN);
}

/** `bytes` armored, with a final line feed. */
export function armor(bytes: Uint8Array): string {
  const encoded = bytes.toBase64().replace(/.{64}/g, "$&\n");
  const body = encoded.length === 0 || encoded.endsWith("\n")
    ? encoded
    : encoded + "\n";
  return `${BEGIN}\n${body}${END}\n`;
}

/**
 * Whether `body` is full 64-column lines, then one line of 1 to 64 columns,
 * each ending in a line feed, or nothing. (A scan, not one regular
 * expression: a 540 KB group file would make a backtracking match slow.)
 */
function wellWrapped(body: string): boolean {
  if (body === "") return true;
  if (!/^[A-Za-z0-9+/=\n]+$/.test(body) || !body.endsWith("\n")) return false;
  let start = 0;
  for (;;) {
    const end = body.indexOf("\n", start);
    const length = end - start;
    if (end === body.length - 1) return length >= 1 && length <= 64;
    if (length !== 64) return false;
    start = end + 1;
  }
}

/**
 * The bytes of an armored file. Throws `AgeDecryptionFailed` ("armor
 * failure") for anything but one strict block within whitespace.
 */
export function dearmor(text: string): Bytes {
  const failure = () => new AgeDecryptionFailed("armor failure");
  let block = text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
  if (block.includes("\r")) block = block.replaceAll("\r\n", "\n");
  if (!block.startsWith(`${BEGIN}\n`) || !block.endsWith(END)) {
    throw failure();
  }
  const body = block.slice(BEGIN.length + 1, block.length - END.length);
  if (!wellWrapped(body)) throw failure();
  try {
    return Uint8Array.fromBase64(body.replaceAll("\n", ""), {
      lastChunkHandling: "strict",
    });
  } catch {
    throw failure();
  }
}
