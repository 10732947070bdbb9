/**
 * Errors the key service answers with (the wire errors). Each class carries a
 * stable `code` string that clients can branch on; the `message` is for
 * people and never holds key material or any part of the request. Errors from
 * the crypto layer, which knows no request fields, become wire errors here,
 * through {@linkcode wireError}, with the field they concern.
 *
 * @example
 * ```ts
 * import { KeyServiceError, UnknownType } from "./errors.ts";
 *
 * try {
 *   throw new UnknownType();
 * } catch (error) {
 *   if (error instanceof KeyServiceError) console.log(error.code); // "unknown_type"
 * }
 * ```
 * @module
 */

import {
  DecryptionError,
  MalformedCiphertext,
  MalformedKey,
  MessageTooLong,
  PassphraseRequired,
  UnexpectedKeyType,
  UnsupportedKeyAlgorithm,
  UnusableKey,
  WrongPassphrase,
} from "../crypto/errors.ts";

/**
 * Every code a {@linkcode KeyServiceError} carries: a closed set, so that
 * metrics may label by code (a test holds it to the classes below).
 */
export const ERROR_CODES = [
  "invalid_json",
  "not_an_object",
  "unknown_type",
  "missing_field",
  "invalid_field",
  "invalid_pem",
  "wrong_key_type",
  "invalid_passphrase",
  "invalid_key",
  "plaintext_too_long",
  "invalid_ciphertext",
  "decryption_failed",
  "multipart_request",
  "request_too_large",
  "overloaded",
  "internal_error",
  // Contract v1.2: keys kept in the service.
  "key_not_found",
  "key_exists",
  "key_version_not_found",
  "key_version_below_minimum",
  "permission_denied",
  "deletion_not_allowed",
  "keystore_unavailable",
  "audit_unavailable",
] as const;

/** Every error the service reports to a client. */
export abstract class KeyServiceError extends Error {
  /** A stable, machine-readable code such as `invalid_json`. */
  abstract readonly code: string;
  override get name(): string {
    return this.constructor.name;
  }
}

/** The request is not UTF-8 JSON. */
export class InvalidJson extends KeyServiceError {
  readonly code = "invalid_json";
  constructor() {
    super("Request is not valid UTF-8 JSON");
  }
}

/** The request is JSON but not a JSON object. */
export class NotAnObject extends KeyServiceError {
  readonly code = "not_an_object";
  constructor() {
    super("Request must be a JSON object");
  }
}

/** The request's `type` names no operation (the seed's exact message). */
export class UnknownType extends KeyServiceError {
  readonly code = "unknown_type";
  constructor() {
    super("Invalid request type");
  }
}

/** A required field is absent. */
export class MissingField extends KeyServiceError {
  readonly code = "missing_field";
  /** The name of the absent field. */
  readonly field: string;
  constructor(field: string) {
    super(`Missing field "${field}"`);
    this.field = field;
  }
}

/** A field is present but not a usable string. */
export class InvalidField extends KeyServiceError {
  readonly code = "invalid_field";
  /** The name of the offending field. */
  readonly field: string;
  constructor(field: string, why: string) {
    super(`Field "${field}" ${why}`);
    this.field = field;
  }
}

/** A PEM block is malformed: armour, base64 body or DER structure. */
export class InvalidPem extends KeyServiceError {
  readonly code = "invalid_pem";
  constructor(field: string, why: string) {
    super(`Field "${field}" is not a valid PEM key: ${why}`);
  }
}

/**
 * A PEM block holds a different kind of key than the field calls for: a
 * PEM label that does not fit, or a key of another algorithm than RSA.
 */
export class WrongKeyType extends KeyServiceError {
  readonly code = "wrong_key_type";
  /** `what` completes "Field "x" must hold ...". */
  constructor(field: string, what: string) {
    super(`Field "${field}" must hold ${what}`);
  }
}

/** The passphrase does not open the encrypted private key. */
export class InvalidPassphrase extends KeyServiceError {
  readonly code = "invalid_passphrase";
  constructor() {
    super('Field "passphrase" does not open the private key');
  }
}

/** The key parses but is not a usable RSA key. */
export class InvalidKey extends KeyServiceError {
  readonly code = "invalid_key";
  constructor(field: string, why: string) {
    super(`Field "${field}" is not a usable RSA key: ${why}`);
  }
}

/** The plaintext does not fit in one PKCS#1 v1.5 block for the key. */
export class PlaintextTooLong extends KeyServiceError {
  readonly code = "plaintext_too_long";
  constructor(field: string, length: number, limit: number) {
    super(
      `Field "${field}" is ${length} bytes in UTF-8; this key can encrypt at most ${limit}`,
    );
  }
}

/**
 * The ciphertext is not strict base64, not as long as the modulus, or not
 * below it.
 */
export class InvalidCiphertext extends KeyServiceError {
  readonly code = "invalid_ciphertext";
  constructor(field: string, why: string) {
    super(`Field "${field}" ${why}`);
  }
}

/**
 * Decryption of a well-formed ciphertext failed. One message for every cause
 * (bad padding, wrong key, plaintext not UTF-8), so that a reply tells an
 * attacker nothing about why.
 */
export class DecryptionFailed extends KeyServiceError {
  readonly code = "decryption_failed";
  constructor() {
    super("Decryption failed");
  }
}

/** A request arrived as more than one ZeroMQ frame. */
export class MultipartRequest extends KeyServiceError {
  readonly code = "multipart_request";
  constructor() {
    super("Request must be exactly one frame holding one JSON object");
  }
}

/** The request is larger than the service accepts. */
export class RequestTooLarge extends KeyServiceError {
  readonly code = "request_too_large";
  constructor(limit: number) {
    super(`Request is larger than the limit of ${limit} bytes`);
  }
}

/** Too many requests are in flight; the client may retry later. */
export class Overloaded extends KeyServiceError {
  readonly code = "overloaded";
  constructor() {
    super("Service is overloaded, retry later");
  }
}

/** Something failed inside the service; the details stay in the service. */
export class InternalError extends KeyServiceError {
  readonly code = "internal_error";
  constructor() {
    super("Internal error");
  }
}

/** v1.2: no stored key has this id. */
export class KeyNotFound extends KeyServiceError {
  readonly code = "key_not_found";
  constructor() {
    super("No key with this key_id");
  }
}

/** v1.2: `create_key` or `import_key` for an id that is taken. */
export class KeyExists extends KeyServiceError {
  readonly code = "key_exists";
  constructor() {
    super("A key with this key_id exists already");
  }
}

/** v1.2: the version is not held (never made, or trimmed). */
export class KeyVersionNotFound extends KeyServiceError {
  readonly code = "key_version_not_found";
  constructor() {
    super("The key holds no such version");
  }
}

/** v1.2: a ciphertext under a version below the minimum decryption version. */
export class KeyVersionBelowMinimum extends KeyServiceError {
  readonly code = "key_version_below_minimum";
  constructor(minimum: number) {
    super(
      `The ciphertext's key version is below the key's minimum decryption version (${minimum}); rewrap it`,
    );
  }
}

/** v1.2: the key's policy does not allow this client this use. */
export class PermissionDenied extends KeyServiceError {
  readonly code = "permission_denied";
  constructor(use: string) {
    super(`The key's policy does not allow this client this use (${use})`);
  }
}

/** v1.2: `delete_key` on a key whose configuration forbids it. */
export class DeletionNotAllowed extends KeyServiceError {
  readonly code = "deletion_not_allowed";
  constructor() {
    super(
      'The key\'s configuration does not allow its deletion (configure_key "deletion_allowed": true first)',
    );
  }
}

/** v1.2: no keystore, or it cannot be read or written now. */
export class KeystoreUnavailable extends KeyServiceError {
  readonly code = "keystore_unavailable";
  constructor(why = "The keystore is not available") {
    super(why);
  }
}

/** v1.2: the audit log cannot be written, so the operation was refused. */
export class AuditUnavailable extends KeyServiceError {
  readonly code = "audit_unavailable";
  constructor() {
    super("The audit log cannot be written; keystore operations are refused");
  }
}

/**
 * The wire error for a crypto error about the request field `field`. Errors
 * that are not the crypto layer's come back as they are.
 */
export function wireError(error: unknown, field: string): unknown {
  if (error instanceof MalformedKey) return new InvalidPem(field, error.reason);
  if (error instanceof UnexpectedKeyType) {
    const { expected, found } = error;
    return new WrongKeyType(
      field,
      `${article(expected)} ${expected} PEM block, found "${found}"`,
    );
  }
  if (error instanceof UnsupportedKeyAlgorithm) {
    return new WrongKeyType(field, `an RSA key, found ${error.algorithm}`);
  }
  if (error instanceof PassphraseRequired) {
    return new MissingField("passphrase");
  }
  if (error instanceof WrongPassphrase) return new InvalidPassphrase();
  if (error instanceof UnusableKey) return new InvalidKey(field, error.reason);
  if (error instanceof MessageTooLong) {
    return new PlaintextTooLong(field, error.length, error.limit);
  }
  if (error instanceof MalformedCiphertext) {
    return new InvalidCiphertext(field, error.reason);
  }
  if (error instanceof DecryptionError) return new DecryptionFailed();
  return error;
}

/** "an RSA ...", "a PUBLIC ...": by the sound of the label's first word. */
function article(label: string): "a" | "an" {
  const word = label.split(" ")[0];
  // An initialism is read letter by letter: "an RSA", "a DSA", "an EC".
  const initialism = word.length <= 4 && word !== "KEY";
  return (initialism ? /^[AEFHILMNORSX]/ : /^[AEIOU]/).test(word) ? "an" : "a";
}
