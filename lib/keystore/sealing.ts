/**
 * Encryption at rest: AES-256-GCM with associated data. Each key version's
 * private key is sealed under its key's data key with the key id and the
 * version as associated data, so that a row moved to another key or version
 * no longer opens; each data key is sealed under the master key with the
 * key id as associated data. A sealed value is `iv (12) || ciphertext ||
 * tag (16)`, the IV random. Synchronous (node:crypto), so that a database
 * transaction never waits on the event loop with its lock held.
 *
 * @example
 * ```ts
 * import { open, seal, versionAad } from "./sealing.ts";
 *
 * const key = crypto.getRandomValues(new Uint8Array(32));
 * const sealed = seal(key, new Uint8Array([1, 2]), versionAad("k", 1));
 * open(key, sealed, versionAad("k", 1)); // Uint8Array [1, 2]
 * ```
 * @module
 */

import { createCipheriv, createDecipheriv, createHmac } from "node:crypto";
import { MasterKeyMismatch, MasterKeyUnavailable } from "./errors.ts";

/** Bytes in a master key or a data key (AES-256). */
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

const encoder = new TextEncoder();

/** The associated data of a key version's sealed private key. */
export function versionAad(keyId: string, version: number): Uint8Array {
  return encoder.encode(`keyservice/version\0${keyId}\0${version}`);
}

/** The associated data of a key's sealed data key. */
export function dataKeyAad(keyId: string): Uint8Array {
  return encoder.encode(`keyservice/data-key\0${keyId}`);
}

/** The associated data of the value that tells a master key is the right one. */
export const CHECK_AAD: Uint8Array = encoder.encode("keyservice/master-check");

/** Seals `plaintext` under `key` (32 bytes) with `aad`. */
export function seal(
  key: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  const last = cipher.final();
  const tag = cipher.getAuthTag();
  const out = new Uint8Array(IV_BYTES + body.length + last.length + TAG_BYTES);
  out.set(iv, 0);
  out.set(body, IV_BYTES);
  out.set(last, IV_BYTES + body.length);
  out.set(tag, out.length - TAG_BYTES);
  return out;
}

/**
 * Opens what {@linkcode seal} made. Throws {@linkcode MasterKeyMismatch}
 * (naming `what`) when the key, the associated data or the bytes are not
 * those it was sealed with.
 */
export function open(
  key: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
  what?: string,
): Uint8Array {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new MasterKeyMismatch(what);
  try {
    const decipher = createDecipheriv(
      "aes-256-gcm",
      key,
      sealed.subarray(0, IV_BYTES),
    );
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const body = decipher.update(
      sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES),
    );
    const last = decipher.final();
    const out = new Uint8Array(body.length + last.length);
    out.set(body, 0);
    out.set(last, body.length);
    body.fill(0);
    return out;
  } catch {
    throw new MasterKeyMismatch(what);
  }
}

/** HMAC-SHA-256 of `text` under `key`, in hex. */
export function mac(key: Uint8Array, text: string): string {
  return createHmac("sha256", key).update(text).digest("hex");
}

/** A key for one purpose, derived from the master key: HMAC(master, label). */
function derivedKey(master: Uint8Array, label: string): Uint8Array {
  return createHmac("sha256", master).update(label).digest();
}

/** The key a master key derives for the MACs of keys' settings. */
export function settingsMacKey(master: Uint8Array): Uint8Array {
  return derivedKey(master, "keyservice/settings-mac");
}

const CURSOR_LABEL = "keyservice/list-cursor";

/**
 * The key `list_keys` cursors are sealed under: from the master key, so any
 * instance sharing the keystore opens another's cursor.
 */
export function cursorKey(master: Uint8Array): Uint8Array {
  return derivedKey(master, CURSOR_LABEL);
}

const CURSOR_AAD: Uint8Array = encoder.encode(CURSOR_LABEL);

/**
 * `after` (a key id) as an opaque `list_keys` cursor: base64url of its seal
 * under `key` (from {@linkcode cursorKey}). A page may end on a key its
 * client may not see, and the cursor must not tell that key's id.
 */
export function sealCursor(key: Uint8Array, after: string): string {
  return seal(key, encoder.encode(after), CURSOR_AAD)
    .toBase64({ alphabet: "base64url", omitPadding: true });
}

/** The key id a cursor of {@linkcode sealCursor} holds, or undefined. */
export function openCursor(
  key: Uint8Array,
  cursor: string,
): string | undefined {
  try {
    const sealed = Uint8Array.fromBase64(cursor, { alphabet: "base64url" });
    return new TextDecoder("utf-8", { fatal: true }).decode(
      open(key, sealed, CURSOR_AAD),
    );
  } catch {
    return undefined;
  }
}

/** A new random AES-256 key (master or data key). */
export function newKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(KEY_BYTES));
}

/** A master key's file text: one line of standard base64. */
export function masterKeyText(key: Uint8Array): string {
  return `${key.toBase64()}\n`;
}

/** Reads a master key from its text (one line: 32 bytes in base64). */
export function parseMasterKey(text: string, where: string): Uint8Array {
  const line = text.trim();
  let key: Uint8Array;
  try {
    key = Uint8Array.fromBase64(line);
  } catch {
    throw new MasterKeyUnavailable(
      `the master key in ${where} is not base64 (one line: 32 random bytes)`,
    );
  }
  if (key.length !== KEY_BYTES || line.includes("\n")) {
    throw new MasterKeyUnavailable(
      `the master key in ${where} is not one line of 32 bytes in base64`,
    );
  }
  return key;
}

/** Reads the master key file at `path`. Throws `MasterKeyUnavailable`. */
export function readMasterKeyFile(path: string): Uint8Array {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "does not exist"
      : "cannot be read";
    throw new MasterKeyUnavailable(`the master key file ${path} ${why}`);
  }
  return parseMasterKey(text, path);
}

/**
 * Writes a new master key file at `path`, mode 0600, whole or not at all
 * (written beside it, then linked into place); returns the key, or
 * undefined when a file is there already (another process made it first).
 */
export function createMasterKeyFile(path: string): Uint8Array | undefined {
  const key = newKey();
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  const file = Deno.openSync(temporary, {
    write: true,
    createNew: true,
    mode: 0o600,
  });
  try {
    file.writeSync(new TextEncoder().encode(masterKeyText(key)));
    file.syncSync();
  } finally {
    file.close();
  }
  try {
    Deno.linkSync(temporary, path);
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    key.fill(0);
    return undefined;
  } finally {
    Deno.removeSync(temporary);
  }
  return key;
}
