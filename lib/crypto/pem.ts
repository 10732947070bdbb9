/**
 * PEM armour in the exact layout python-rsa writes: a `-----BEGIN LABEL-----`
 * line, the base64 body in 64-character lines, an `-----END LABEL-----` line,
 * `\n` line ends and a final `\n`.
 *
 * @example
 * ```ts
 * import { decodePem, encodePem } from "./pem.ts";
 *
 * const pem = encodePem("RSA PUBLIC KEY", new Uint8Array([48, 0]));
 * // "-----BEGIN RSA PUBLIC KEY-----\nMAA=\n-----END RSA PUBLIC KEY-----\n"
 * const der = decodePem(pem, "RSA PUBLIC KEY");
 * ```
 * @module
 */

import { MalformedKey, UnexpectedKeyType } from "./errors.ts";

const LINE = 64;
const BLOCK =
  /^-----BEGIN ([A-Z0-9 ]{1,40})-----\r?\n([A-Za-z0-9+/=\r\n]*?)\r?\n?-----END ([A-Z0-9 ]{1,40})-----$/;

/** Wraps DER bytes in PEM armour: 64-column base64, LF line ends, final LF. */
export function encodePem(label: string, der: Uint8Array): string {
  const body = der.toBase64();
  const lines = [`-----BEGIN ${label}-----`];
  for (let i = 0; i < body.length; i += LINE) {
    lines.push(body.slice(i, i + LINE));
  }
  lines.push(`-----END ${label}-----`, "");
  return lines.join("\n");
}

/**
 * Reads one PEM block whose label must be `label`, and returns its DER bytes.
 * Surrounding white space and CRLF line ends are accepted; anything else
 * (a second block, text around the block, a bad base64 body) throws
 * {@linkcode MalformedKey}; another label throws {@linkcode UnexpectedKeyType}.
 */
export function decodePem(text: string, label: string): Uint8Array {
  return decodePemLabelled(text, [label]).der;
}

/** A PEM block's label and DER bytes. */
export interface PemBlock {
  /** The label, such as `PUBLIC KEY`. */
  readonly label: string;
  /** The decoded body. */
  readonly der: Uint8Array;
}

/**
 * Reads one PEM block whose label is one of `labels`, as
 * {@linkcode decodePem} does; another label throws
 * {@linkcode UnexpectedKeyType} naming the first of `labels`.
 */
export function decodePemLabelled(
  text: string,
  labels: readonly string[],
): PemBlock {
  const match = BLOCK.exec(text.trim());
  if (match === null) {
    throw new MalformedKey(
      "expected one -----BEGIN ...----- / -----END ...----- block",
    );
  }
  const [, begin, body, end] = match;
  if (begin !== end) {
    throw new MalformedKey("BEGIN and END labels differ");
  }
  if (!labels.includes(begin)) throw new UnexpectedKeyType(labels[0]);
  let der: Uint8Array;
  try {
    der = Uint8Array.fromBase64(body, { lastChunkHandling: "strict" });
  } catch {
    throw new MalformedKey("the body is not valid base64");
  }
  if (der.length === 0) throw new MalformedKey("the body is empty");
  return { label: begin, der };
}
