/**
 * The wire protocol: one request is one UTF-8 JSON object, one reply is one
 * UTF-8 JSON object (see docs/contract.md; the enumerations and limits are
 * lib/contract's). This module turns request bytes into a typed
 * {@linkcode Request} and replies into bytes; it knows nothing of ZeroMQ and
 * nothing of keys.
 *
 * @example
 * ```ts
 * import { encodeReply, parseRequest } from "./protocol.ts";
 *
 * const request = parseRequest(new TextEncoder().encode('{"type":"ping"}'));
 * request.type; // "ping"
 * encodeReply({ status: "ok" }); // the bytes of {"status":"ok"}
 * ```
 * @module
 */

import {
  InvalidField,
  InvalidJson,
  type KeyServiceError,
  MissingField,
  NotAnObject,
  UnknownType,
} from "./errors.ts";
import {
  type KEYSTORE_REQUEST_TYPES,
  type KeystoreRequest,
  keystoreRequestFrom,
} from "./keystore_protocol.ts";
import {
  KEY_BITS,
  KEY_FORMATS,
  type KeyBits,
  type KeyFormat,
  MAX_FIELD_LENGTH,
  MAX_RECIPIENTS,
  type Padding,
  PADDINGS,
  type RequestType as WireRequestType,
} from "../contract/mod.ts";

/**
 * The name of an operation: the contract's, and contract v1.2's own, apart
 * (`ping`'s capabilities stay as in v1.1).
 */
export type RequestType =
  | WireRequestType
  | typeof KEYSTORE_REQUEST_TYPES[number];

/**
 * `{"type": "generate_keys", "bits"?, "format"?, "passphrase"?}`: a new RSA
 * key pair and Fernet key.
 */
export interface GenerateKeysRequest {
  readonly type: "generate_keys";
  /** Modulus size. Default 2048. */
  readonly bits: KeyBits;
  /** PEM format of the pair. Default `pkcs1`; `pkcs8` with a passphrase. */
  readonly format: KeyFormat;
  /** Encrypts the private key (PBES2) under this passphrase. */
  readonly passphrase: string | undefined;
}

/** `{"type": "encrypt_fernet", "fernet", "rsa_public", "padding"?}`. */
export interface EncryptFernetRequest {
  readonly type: "encrypt_fernet";
  /** The string whose UTF-8 bytes are encrypted. */
  readonly fernet: string;
  /** PEM public key: PKCS#1 or SPKI. */
  readonly rsaPublic: string;
  /** The encryption scheme. Default `pkcs1v15`. */
  readonly padding: Padding;
}

/**
 * `{"type": "decrypt_fernet", "encrypted_fernet", "rsa_private",
 * "padding"?, "passphrase"?}`.
 */
export interface DecryptFernetRequest {
  readonly type: "decrypt_fernet";
  /** Standard base64 of the ciphertext. */
  readonly encryptedFernet: string;
  /** PEM private key: PKCS#1, PKCS#8, or encrypted PKCS#8. */
  readonly rsaPrivate: string;
  /** The encryption scheme. Default `pkcs1v15`. */
  readonly padding: Padding;
  /** Opens an `ENCRYPTED PRIVATE KEY`. */
  readonly passphrase: string | undefined;
}

/**
 * `{"type": "encrypt_fernet_many", "fernet", "rsa_publics", "padding"?}`:
 * one key wrapped for each of up to 256 recipients.
 */
export interface EncryptFernetManyRequest {
  readonly type: "encrypt_fernet_many";
  /** The string whose UTF-8 bytes are encrypted. */
  readonly fernet: string;
  /** PEM public keys, one per recipient. */
  readonly rsaPublics: readonly string[];
  /** The encryption scheme. Default `pkcs1v15`. */
  readonly padding: Padding;
}

/** `{"type": "ping"}`: a health check (an extension to the contract). */
export interface PingRequest {
  readonly type: "ping";
}

/** A validated request. */
export type Request =
  | GenerateKeysRequest
  | EncryptFernetRequest
  | DecryptFernetRequest
  | EncryptFernetManyRequest
  | PingRequest
  | KeystoreRequest;

const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

function checkString(name: string, value: unknown): string {
  if (typeof value !== "string") {
    throw new InvalidField(name, `must be a string, got ${describe(value)}`);
  }
  if (value.length > MAX_FIELD_LENGTH) {
    throw new InvalidField(
      name,
      `is longer than the limit of ${MAX_FIELD_LENGTH} characters`,
    );
  }
  if (!value.isWellFormed()) {
    throw new InvalidField(name, "holds malformed Unicode (a lone surrogate)");
  }
  return value;
}

function field(object: Record<string, unknown>, name: string): string {
  if (!Object.hasOwn(object, name)) throw new MissingField(name);
  return checkString(name, object[name]);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** An optional option: undefined when absent, else one of `choices`. */
function choice<T extends string | number>(
  object: Record<string, unknown>,
  name: string,
  choices: readonly T[],
): T | undefined {
  if (!Object.hasOwn(object, name)) return undefined;
  const value = object[name];
  if (!choices.includes(value as T)) {
    // Never the value itself: a client may have put a secret in this field.
    const kind = typeof choices[0] === "number" ? "JSON integers" : "strings";
    const listed = choices.map((c) => JSON.stringify(c)).join(", ");
    const got = typeof value === typeof choices[0]
      ? `another ${typeof value}`
      : describe(value);
    throw new InvalidField(
      name,
      `must be one of ${listed} (${kind}); got ${got}`,
    );
  }
  return value as T;
}

/** An optional passphrase: a non-empty string. */
function passphrase(object: Record<string, unknown>): string | undefined {
  if (!Object.hasOwn(object, "passphrase")) return undefined;
  const value = checkString("passphrase", object.passphrase);
  if (value === "") throw new InvalidField("passphrase", "must not be empty");
  return value;
}

function generateKeys(object: Record<string, unknown>): GenerateKeysRequest {
  const bits = choice(object, "bits", KEY_BITS) ?? 2048;
  const format = choice(object, "format", KEY_FORMATS);
  const secret = passphrase(object);
  if (secret !== undefined && format === "pkcs1") {
    throw new InvalidField(
      "format",
      'must be "pkcs8" (or absent) with a passphrase: legacy PEM encryption is MD5-based, and not written',
    );
  }
  return {
    type: "generate_keys",
    bits,
    format: format ?? (secret === undefined ? "pkcs1" : "pkcs8"),
    passphrase: secret,
  };
}

function recipients(object: Record<string, unknown>): string[] {
  const name = "rsa_publics";
  if (!Object.hasOwn(object, name)) throw new MissingField(name);
  const value = object[name];
  if (!Array.isArray(value)) {
    throw new InvalidField(name, `must be an array, got ${describe(value)}`);
  }
  if (value.length === 0 || value.length > MAX_RECIPIENTS) {
    throw new InvalidField(
      name,
      `must hold 1 to ${MAX_RECIPIENTS} keys`,
    );
  }
  return value.map((entry, i) => checkString(`${name}[${i}]`, entry));
}

/**
 * Parses and validates one request. Throws a {@linkcode KeyServiceError}
 * subclass (`InvalidJson`, `NotAnObject`, `UnknownType`, `MissingField`,
 * `InvalidField`) for anything that is not a well-formed request. Fields the
 * contract does not name are ignored.
 */
export function parseRequest(body: Uint8Array): Request {
  return requestFrom(decodeJson(body));
}

/** The JSON value of a request's bytes. Throws `InvalidJson`. */
export function decodeJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(body));
  } catch {
    throw new InvalidJson();
  }
}

/**
 * Validates a decoded JSON value as a request, as {@linkcode parseRequest}
 * does after decoding.
 */
export function requestFrom(value: unknown): Request {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new NotAnObject();
  }
  const object = value as Record<string, unknown>;
  const type = Object.hasOwn(object, "type") ? object.type : undefined;
  // Contract v1.2 (keys kept in the service), in its own module.
  const stored = keystoreRequestFrom(object);
  if (stored !== undefined) return stored;
  switch (type) {
    case "ping":
      return { type };
    case "generate_keys":
      return generateKeys(object);
    case "encrypt_fernet":
      return {
        type,
        fernet: field(object, "fernet"),
        rsaPublic: field(object, "rsa_public"),
        padding: choice(object, "padding", PADDINGS) ?? "pkcs1v15",
      };
    case "decrypt_fernet":
      return {
        type,
        encryptedFernet: field(object, "encrypted_fernet"),
        rsaPrivate: field(object, "rsa_private"),
        padding: choice(object, "padding", PADDINGS) ?? "pkcs1v15",
        passphrase: passphrase(object),
      };
    case "encrypt_fernet_many":
      return {
        type,
        fernet: field(object, "fernet"),
        rsaPublics: recipients(object),
        padding: choice(object, "padding", PADDINGS) ?? "pkcs1v15",
      };
    default:
      throw new UnknownType();
  }
}

/** A reply value: what `JSON.stringify` writes as one JSON object. */
export type Reply = { readonly [key: string]: unknown };

/** The bytes of one reply: UTF-8 JSON. */
export function encodeReply(reply: Reply): Uint8Array {
  return encoder.encode(JSON.stringify(reply));
}

/**
 * Most bytes of an error reply's JSON, an `encrypt_fernet_many` entry's
 * included: a message that would make it longer is replaced by fixed words,
 * so that a reply's size follows from the limits (see `MAX_REPLY_BYTES`)
 * whatever a request makes a message say.
 */
export const MAX_ERROR_REPLY_BYTES = 320;

/**
 * The reply to a failed request: `{"error": message, "code": code}`, at
 * most `MAX_ERROR_REPLY_BYTES` long.
 */
export function errorReply(error: KeyServiceError): Reply {
  const reply = { error: error.message, code: error.code };
  if (encodeReply(reply).length <= MAX_ERROR_REPLY_BYTES) return reply;
  return {
    error: "Request refused; the reason is too long to tell",
    code: error.code,
  };
}

/** Most bytes of the base64 of one ciphertext: 4096-bit keys at most. */
const MAX_CIPHERTEXT_BASE64 = Math.ceil(4096 / 8 / 3) * 4;

/** Longest `ks:v<version>:` prefix of a v1.2 ciphertext (9-digit versions). */
const MAX_STORED_PREFIX = "ks:v:".length + 9;

/**
 * The largest reply, in bytes, that the limits allow: an `encrypt_fernet_many`
 * (or v1.2 `rewrap_fernet`) of `MAX_RECIPIENTS` entries, each the larger of a
 * 4096-bit key's `{"encrypted_fernet": "ks:v<n>:..."}` and the largest error
 * entry, in `{"results":[...]}` (about 185 KB). A `generate_keys` reply of 4096-bit
 * keys is under 6 KB; any other reply is smaller still.
 */
export const MAX_RSA_REPLY_BYTES = '{"results":[]}'.length +
  MAX_RECIPIENTS * (Math.max(
      '{"encrypted_fernet":""}'.length + MAX_STORED_PREFIX +
        MAX_CIPHERTEXT_BASE64,
      MAX_ERROR_REPLY_BYTES,
    ) + 1) -
  1;

/** Characters of the unpadded base64 of `n` bytes, as age's header has it. */
const base64Unpadded = (n: number) => Math.ceil(n * 4 / 3);

/**
 * The largest age reply, in bytes, that the limits allow: an
 * `encrypt_fernet_many` to `MAX_RECIPIENTS` hybrid recipients (their stanzas
 * are the largest; an X25519 stanza is smaller) of the longest `fernet`
 * (`MAX_FIELD_LENGTH` UTF-16 units, at most 3 UTF-8 bytes each: one STREAM
 * chunk), as `{"encrypted_fernet":"<armored file>"}`:
 *
 * - stanza: `-> mlkem768x25519 ` + base64 of the 1,120-byte X-Wing
 *   ciphertext + `\n` + base64 of the 32-byte wrapped file key + `\n`;
 * - header: `age-encryption.org/v1\n`, the stanzas, `--- ` + base64 of the
 *   32-byte MAC + `\n`;
 * - payload: 16-byte nonce, the plaintext, a 16-byte tag;
 * - armor: the padded base64 of header and payload in lines of 64, each
 *   ending `\n`, between the BEGIN and END lines (each ending `\n`);
 * - JSON: every `\n` is written as two bytes.
 */
export const MAX_AGE_REPLY_BYTES = (() => {
  const stanza = "-> mlkem768x25519 ".length + base64Unpadded(1120) + 1 +
    base64Unpadded(32) + 1;
  const header = "age-encryption.org/v1\n".length + MAX_RECIPIENTS * stanza +
    "--- ".length + base64Unpadded(32) + 1;
  const payload = 16 + 3 * MAX_FIELD_LENGTH + 16;
  const body = Math.ceil((header + payload) / 3) * 4;
  const lines = Math.ceil(body / 64);
  const armored = "-----BEGIN AGE ENCRYPTED FILE-----\n".length + body + lines +
    "-----END AGE ENCRYPTED FILE-----\n".length;
  const newlines = lines + 2;
  return '{"encrypted_fernet":""}'.length + armored + newlines;
})();

/**
 * The largest reply, in bytes, that the limits allow, of every kind: the
 * larger of {@linkcode MAX_AGE_REPLY_BYTES} and
 * {@linkcode MAX_RSA_REPLY_BYTES}. Every other reply is smaller.
 */
export const MAX_REPLY_BYTES = Math.max(
  MAX_AGE_REPLY_BYTES,
  MAX_RSA_REPLY_BYTES,
);
