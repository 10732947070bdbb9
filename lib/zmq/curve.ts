/**
 * CurveZMQ keys: new key pairs, the public key of a secret key, checking a
 * Z85 key, and reading an allow list of client public keys. Keys travel as
 * Z85 text, 40 characters for 32 bytes.
 *
 * @example
 * ```ts
 * import { loadLibzmq } from "./libzmq.ts";
 * import { curvePublicKey, generateCurveKeyPair } from "./curve.ts";
 *
 * const libzmq = loadLibzmq();
 * const pair = generateCurveKeyPair(libzmq);
 * curvePublicKey(libzmq, pair.secret) === pair.public; // true
 * ```
 * @module
 */

import { cstring, lastError } from "./_ffi.ts";
import { CurveUnavailable, InvalidCurveKey, ZmqError } from "./errors.ts";
import type { LoadedLibzmq } from "./libzmq.ts";

/** A CURVE key pair in Z85. */
export interface CurveKeyPair {
  /** The public key, shareable. */
  readonly public: string;
  /** The secret key. */
  readonly secret: string;
}

const decoder = new TextDecoder();

function text(buffer: Uint8Array): string {
  return decoder.decode(buffer.subarray(0, 40));
}

function requireCurve(libzmq: LoadedLibzmq): void {
  if (!libzmq.hasCurve) {
    throw new CurveUnavailable(libzmq.path);
  }
}

/**
 * A new key pair from libzmq (its cryptographic random source). Throws
 * {@linkcode CurveUnavailable} or {@linkcode ZmqError}.
 */
export function generateCurveKeyPair(libzmq: LoadedLibzmq): CurveKeyPair {
  requireCurve(libzmq);
  const pub = new Uint8Array(41);
  const sec = new Uint8Array(41);
  if (libzmq.symbols.zmq_curve_keypair(pub, sec) !== 0) {
    throw new ZmqError("zmq_curve_keypair", lastError(libzmq.symbols));
  }
  return { public: text(pub), secret: text(sec) };
}

/** Whether `key` is 40 characters of valid Z85 (32 bytes). */
export function isZ85Key(libzmq: LoadedLibzmq, key: string): boolean {
  if (!/^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/.test(key)) return false;
  return libzmq.symbols.zmq_z85_decode(new Uint8Array(32), cstring(key)) !==
    null;
}

/**
 * The public key of a secret key. Throws {@linkcode InvalidCurveKey} for a
 * malformed key, {@linkcode CurveUnavailable} or {@linkcode ZmqError}.
 */
export function curvePublicKey(libzmq: LoadedLibzmq, secret: string): string {
  requireCurve(libzmq);
  if (!isZ85Key(libzmq, secret)) {
    throw new InvalidCurveKey(
      "the CURVE secret key is not 40 characters of Z85",
    );
  }
  const pub = new Uint8Array(41);
  if (libzmq.symbols.zmq_curve_public(pub, cstring(secret)) !== 0) {
    throw new ZmqError("zmq_curve_public", lastError(libzmq.symbols));
  }
  return text(pub);
}

/** Z85 text of 32 raw key bytes (as a ZAP request carries them). */
export function z85Encode(libzmq: LoadedLibzmq, key: Uint8Array): string {
  const out = new Uint8Array(41);
  libzmq.symbols.zmq_z85_encode(out, key, BigInt(key.length));
  return text(out);
}

/**
 * Reads an allow list: one Z85 public key per line; blank lines and lines
 * starting with `#` are skipped, and text after the key on its line is ignored (a
 * name, say). Throws {@linkcode InvalidCurveKey} naming the bad line.
 */
export function parseAllowList(
  libzmq: LoadedLibzmq,
  list: string,
): Set<string> {
  const keys = new Set<string>();
  list.split(/\r?\n/).forEach((raw, i) => {
    // `#` is a Z85 character too: only whole lines are comments.
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const key = line.split(/\s+/)[0];
    if (!isZ85Key(libzmq, key)) {
      throw new InvalidCurveKey(
        `line ${i + 1} is not a 40-character Z85 public key`,
      );
    }
    keys.add(key);
  });
  return keys;
}

export type { CurveClientKeys } from "./_socket.ts";
