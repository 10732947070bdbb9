/**
 * The age v1 header: the version line, recipient stanzas, and the MAC line
 * (c2sp.org/age, "Header"), parsed strictly to its ABNF and written the same
 * way, so that a parsed header's bytes are the bytes the MAC covers. Parsing
 * is bounded by limits.ts: a header past them is refused before more is read.
 *
 * @example
 * ```ts
 * import { encodeHeader, parseHeader } from "./header.ts";
 *
 * const bytes = encodeHeader([{ args: ["X25519", "AAAA"], body: new Uint8Array(32) }], new Uint8Array(32));
 * const header = parseHeader(bytes);
 * header.stanzas[0].args; // ["X25519", "AAAA"]
 * ```
 * @module
 */

import { AgeDecryptionFailed, AgeLimitExceeded } from "./errors.ts";
import {
  MAX_HEADER_BYTES,
  MAX_STANZA_ARGS,
  MAX_STANZA_BODY_BYTES,
  MAX_STANZAS,
} from "./limits.ts";
import { type Bytes, hkdfDeriveKey, hkdfKey } from "./_subtle.ts";

/** One recipient stanza: its arguments (the type first) and body. */
export interface Stanza {
  readonly args: readonly string[];
  readonly body: Uint8Array;
}

/** A parsed header. */
export interface Header {
  readonly stanzas: readonly Stanza[];
  /** The header's bytes up to and including `---`: what the MAC covers. */
  readonly macInput: Bytes;
  /** The MAC, 32 bytes. */
  readonly mac: Bytes;
  /** Where the payload starts in the input. */
  readonly payloadOffset: number;
}

const VERSION_LINE = "age-encryption.org/v1\n";
const ascii = new TextDecoder("latin1");
const encoder = new TextEncoder();
const BASE64 = /^[A-Za-z0-9+/]*$/;

/**
 * Canonical unpadded base64 (the spec's "base64"): undefined for anything
 * else, padding and whitespace included.
 */
export function decodeBase64Raw(text: string): Bytes | undefined {
  if (!BASE64.test(text) || text.length % 4 === 1) return undefined;
  const padded = text + "=".repeat((4 - text.length % 4) % 4);
  try {
    return Uint8Array.fromBase64(padded, { lastChunkHandling: "strict" });
  } catch {
    return undefined;
  }
}

/** Unpadded standard base64. */
export function encodeBase64Raw(bytes: Uint8Array): string {
  return bytes.toBase64({ omitPadding: true });
}

function headerFailure(): AgeDecryptionFailed {
  return new AgeDecryptionFailed("header failure");
}

/**
 * Parses the header at the start of `file`. Throws `AgeDecryptionFailed`
 * ("header failure") when it does not follow the ABNF, and
 * `AgeLimitExceeded` past the limits.
 */
export function parseHeader(file: Uint8Array): Header {
  const end = Math.min(file.length, MAX_HEADER_BYTES);
  let offset = 0;
  const line = (): string => {
    const newline = file.subarray(offset, end).indexOf(0x0a);
    if (newline < 0) {
      if (end < file.length) {
        throw new AgeLimitExceeded(
          `header is longer than ${MAX_HEADER_BYTES} bytes`,
        );
      }
      throw headerFailure();
    }
    const text = ascii.decode(file.subarray(offset, offset + newline));
    offset += newline + 1;
    return text;
  };
  if (line() + "\n" !== VERSION_LINE) throw headerFailure();
  const stanzas: Stanza[] = [];
  for (;;) {
    const lineStart = offset;
    const text = line();
    if (text.startsWith("--- ")) {
      const mac = decodeBase64Raw(text.slice(4));
      if (mac === undefined || mac.length !== 32 || text.length !== 47) {
        throw headerFailure();
      }
      if (stanzas.length === 0) throw headerFailure();
      return {
        stanzas,
        macInput: file.slice(0, lineStart + 3),
        mac,
        payloadOffset: offset,
      };
    }
    if (!text.startsWith("-> ")) throw headerFailure();
    if (stanzas.length === MAX_STANZAS) {
      throw new AgeLimitExceeded(`has more than ${MAX_STANZAS} stanzas`);
    }
    const args = text.slice(3).split(" ");
    if (args.length > MAX_STANZA_ARGS) {
      throw new AgeLimitExceeded(
        `has a stanza of more than ${MAX_STANZA_ARGS} arguments`,
      );
    }
    if (!args.every((arg) => /^[\x21-\x7e]+$/.test(arg))) {
      throw headerFailure();
    }
    let body = "";
    for (;;) {
      const chunk = line();
      if (chunk.length > 64 || !BASE64.test(chunk)) throw headerFailure();
      body += chunk;
      if (body.length > MAX_STANZA_BODY_BYTES * 4 / 3 + 4) {
        throw new AgeLimitExceeded(
          `has a stanza body over ${MAX_STANZA_BODY_BYTES} bytes`,
        );
      }
      if (chunk.length < 64) break;
    }
    const decoded = decodeBase64Raw(body);
    if (decoded === undefined) throw headerFailure();
    stanzas.push({ args, body: decoded });
  }
}

/** The header's lines without the MAC: version line, stanzas, `---`. */
function headerText(stanzas: readonly Stanza[]): string {
  let text = VERSION_LINE;
  for (const { args, body } of stanzas) {
    text += `-> ${args.join(" ")}\n`;
    const encoded = encodeBase64Raw(body);
    for (let i = 0; i + 64 <= encoded.length; i += 64) {
      text += encoded.slice(i, i + 64) + "\n";
    }
    text += encoded.slice(encoded.length - encoded.length % 64) + "\n";
  }
  return text + "---";
}

/** The header MAC: HMAC-SHA-256 under HKDF(file key, "", "header"). */
export async function headerMac(
  fileKey: Bytes,
  macInput: Bytes,
): Promise<Bytes> {
  const key = await hkdfDeriveKey(
    await hkdfKey(fileKey),
    new Uint8Array(0),
    encoder.encode("header"),
    "HMAC",
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, macInput));
}

/** The header's bytes for `stanzas` and `mac` (see {@linkcode headerMac}). */
export function encodeHeader(
  stanzas: readonly Stanza[],
  mac: Uint8Array,
): Bytes {
  return encoder.encode(`${headerText(stanzas)} ${encodeBase64Raw(mac)}\n`);
}

/** The header's bytes, with the MAC computed under `fileKey`. */
export async function writeHeader(
  stanzas: readonly Stanza[],
  fileKey: Bytes,
): Promise<Bytes> {
  const mac = await headerMac(fileKey, encoder.encode(headerText(stanzas)));
  return encodeHeader(stanzas, mac);
}

/** Whether `mac` is the header MAC under `fileKey` (HMAC verify). */
export async function verifyHeaderMac(
  fileKey: Bytes,
  header: Header,
): Promise<boolean> {
  const expected = await headerMac(fileKey, header.macInput);
  let diff = 0;
  for (let i = 0; i < 32; i++) diff |= expected[i] ^ header.mac[i];
  return diff === 0;
}
