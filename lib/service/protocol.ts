/**
 * The wire protocol: one request is one UTF-8 JSON object, one reply is one
 * UTF-8 JSON object (see docs/contract.md). This module turns request bytes into a
 * typed {@linkcode Request} and replies into bytes; it knows nothing of
 * ZeroMQ and nothing of keys.
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

/** The operations a client can ask for. */
export const REQUEST_TYPES = [
  "generate_keys",
  "encrypt_fernet",
  "decrypt_fernet",
  "ping",
] as const;

/** The name of an operation. */
export type RequestType = typeof REQUEST_TYPES[number];

/** `{"type": "generate_keys"}`: a new RSA key pair and Fernet key. */
export interface GenerateKeysRequest {
  readonly type: "generate_keys";
}

/** `{"type": "encrypt_fernet", "fernet", "rsa_public"}`. */
export interface EncryptFernetRequest {
  readonly type: "encrypt_fernet";
  /** The string whose UTF-8 bytes are encrypted. */
  readonly fernet: string;
  /** PKCS#1 PEM public key. */
  readonly rsaPublic: string;
}

/** `{"type": "decrypt_fernet", "encrypted_fernet", "rsa_private"}`. */
export interface DecryptFernetRequest {
  readonly type: "decrypt_fernet";
  /** Standard base64 of the ciphertext. */
  readonly encryptedFernet: string;
  /** PKCS#1 PEM private key. */
  readonly rsaPrivate: string;
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
  | PingRequest;

/** Longest string accepted in any field, in UTF-16 code units. */
export const MAX_FIELD_LENGTH = 16 * 1024;

const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

function field(object: Record<string, unknown>, name: string): string {
  if (!Object.hasOwn(object, name)) throw new MissingField(name);
  const value = object[name];
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

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * Parses and validates one request. Throws a {@linkcode KeyServiceError}
 * subclass (`InvalidJson`, `NotAnObject`, `UnknownType`, `MissingField`,
 * `InvalidField`) for anything that is not a well-formed request. Fields the
 * contract does not name are ignored.
 */
export function parseRequest(body: Uint8Array): Request {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(body));
  } catch {
    throw new InvalidJson();
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new NotAnObject();
  }
  const object = value as Record<string, unknown>;
  const type = Object.hasOwn(object, "type") ? object.type : undefined;
  switch (type) {
    case "generate_keys":
    case "ping":
      return { type };
    case "encrypt_fernet":
      return {
        type,
        fernet: field(object, "fernet"),
        rsaPublic: field(object, "rsa_public"),
      };
    case "decrypt_fernet":
      return {
        type,
        encryptedFernet: field(object, "encrypted_fernet"),
        rsaPrivate: field(object, "rsa_private"),
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

/** The reply to a failed request: `{"error": message, "code": code}`. */
export function errorReply(error: KeyServiceError): Reply {
  return { error: error.message, code: error.code };
}
