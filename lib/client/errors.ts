/**
 * The client's errors. Their codes are the contract's (lib/contract). A reply `{"error": ..., "code": ...}` becomes a
 * {@linkcode ServiceError} of the class for its code (`DecryptionFailed`,
 * `Overloaded`, ...), carrying the reply's `code` and message; a code this
 * version does not know becomes a plain `ServiceError` with that code. The
 * client's own failures are {@linkcode TimeoutError} (sent, never answered),
 * {@linkcode UnreachableError} (never sent: no service could be reached),
 * {@linkcode HandshakeRefused} (never sent: the server refused the
 * handshake) and {@linkcode BadReply} (an answer that is not the
 * contract's).
 *
 * @example
 * ```ts
 * import { DecryptionFailed, errorFromReply } from "./errors.ts";
 *
 * const error = errorFromReply({ error: "Decryption failed", code: "decryption_failed" });
 * error instanceof DecryptionFailed; // true
 * error.code; // "decryption_failed"
 * DecryptionFailed.code; // "decryption_failed", without an instance
 * ```
 * @module
 */

import type { ErrorCode } from "../contract/errors.ts";
import { KeyServiceClientError } from "./_error_base.ts";

export { KeyServiceClientError } from "./_error_base.ts";
export * from "./transport_errors.ts";

/**
 * The service answered with an error; `code` is the reply's. Each code of
 * the contract has its subclass, below; an unknown code comes as this.
 */
export class ServiceError extends KeyServiceClientError {
  /** The code of a reply that names none (a seed service's). */
  static override readonly code: string = "error";
  /** The reply's code. */
  readonly code: ServiceErrorCode;
  /**
   * An error with the reply's message; `code` defaults to the class's own
   * (`error` for this class, the contract's code for each subclass).
   */
  constructor(message: string, code?: ServiceErrorCode) {
    super(message);
    this.code = code ?? (new.target as typeof ServiceError).code;
  }
}

/**
 * A reply's code: one of the contract's (so that `switch (error.code)`
 * narrows and completes), `error` for a seed service's reply, or a code
 * newer than this client.
 */
export type ServiceErrorCode =
  | ErrorCode
  | "error"
  | (string & Record<never, never>);

/** A {@linkcode ServiceError} class for one code of the contract. */
export interface ServiceErrorClass<C extends string = string> {
  /** The code its errors carry. */
  readonly code: C;
  /** An error with the reply's message. */
  new (message: string): ServiceError;
}

/** `invalid_json`: the request was not UTF-8 JSON. */
export class InvalidJson extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "invalid_json";
}
/** `not_an_object`: the request was JSON, not a JSON object. */
export class NotAnObject extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "not_an_object";
}
/** `unknown_type`: no such operation (an older service, say). */
export class UnknownType extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "unknown_type";
}
/** `missing_field`: a required field was absent. */
export class MissingField extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "missing_field";
}
/** `invalid_field`: a field or option had the wrong type or value. */
export class InvalidField extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "invalid_field";
}
/** `invalid_pem`: a PEM key was malformed. */
export class InvalidPem extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "invalid_pem";
}
/** `wrong_key_type`: a PEM of another kind than the field needs. */
export class WrongKeyType extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "wrong_key_type";
}
/** `invalid_key`: the key parsed but is unusable. */
export class InvalidKey extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "invalid_key";
}
/** `invalid_passphrase`: the passphrase does not open the key. */
export class InvalidPassphrase extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "invalid_passphrase";
}
/** `plaintext_too_long`: the Fernet key does not fit the RSA key. */
export class PlaintextTooLong extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "plaintext_too_long";
}
/** `invalid_ciphertext`: the ciphertext is not strict base64 or not key-sized. */
export class InvalidCiphertext extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "invalid_ciphertext";
}
/** `decryption_failed`: wrong key or damaged ciphertext (one reply for all). */
export class DecryptionFailed extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "decryption_failed";
}
/** `multipart_request`: the request was not one frame. */
export class MultipartRequest extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "multipart_request";
}
/** `request_too_large`: the request was over the service's limit. */
export class RequestTooLarge extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "request_too_large";
}
/** `overloaded`: still too busy after the client's retries. */
export class Overloaded extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "overloaded";
}
/** `internal_error`: a fault inside the service. */
export class InternalError extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "internal_error";
}

/** `key_not_found` (v1.2): no stored key has this id. */
export class KeyNotFound extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "key_not_found";
}
/** `key_exists` (v1.2): the key id is taken. */
export class KeyExists extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "key_exists";
}
/** `key_version_not_found` (v1.2): the version is not held. */
export class KeyVersionNotFound extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "key_version_not_found";
}
/** `key_version_below_minimum` (v1.2): rewrap under a newer version. */
export class KeyVersionBelowMinimum extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "key_version_below_minimum";
}
/** `key_version_limit` (v1.2): the key holds its most versions; trim first. */
export class KeyVersionLimit extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "key_version_limit";
}
/** `permission_denied` (v1.2): the key's policy refuses this client. */
export class PermissionDenied extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "permission_denied";
}
/** `deletion_not_allowed` (v1.2): the key's configuration forbids it. */
export class DeletionNotAllowed extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "deletion_not_allowed";
}
/** `keystore_unavailable` (v1.2): no keystore, or it cannot be used now. */
export class KeystoreUnavailable extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "keystore_unavailable";
}
/** `audit_unavailable` (v1.2): the audit log cannot be written. */
export class AuditUnavailable extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "audit_unavailable";
}
/** `invalid_bech32`: an age recipient or identity is not valid Bech32. */
export class InvalidBech32 extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "invalid_bech32";
}
/** `invalid_key_length`: an age key of the wrong number of bytes. */
export class InvalidKeyLength extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "invalid_key_length";
}
/** `invalid_encapsulation_key`: fails the FIPS 203 modulus check. */
export class InvalidEncapsulationKey extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "invalid_encapsulation_key";
}
/** `invalid_recipient`: a low-order X25519 recipient key. */
export class InvalidRecipient extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "invalid_recipient";
}
/** `mixed_recipients`: RSA keys with age recipients, or PQ with classic. */
export class MixedRecipients extends ServiceError {
  /** The contract's code for this error. */
  static override readonly code = "mixed_recipients";
}

/** The class for each code of the contract (lib/contract/errors.ts). */
export const SERVICE_ERRORS: {
  readonly [C in ErrorCode]: ServiceErrorClass<C>;
} = {
  invalid_json: InvalidJson,
  not_an_object: NotAnObject,
  unknown_type: UnknownType,
  missing_field: MissingField,
  invalid_field: InvalidField,
  invalid_pem: InvalidPem,
  wrong_key_type: WrongKeyType,
  invalid_key: InvalidKey,
  invalid_passphrase: InvalidPassphrase,
  plaintext_too_long: PlaintextTooLong,
  invalid_ciphertext: InvalidCiphertext,
  decryption_failed: DecryptionFailed,
  multipart_request: MultipartRequest,
  request_too_large: RequestTooLarge,
  overloaded: Overloaded,
  internal_error: InternalError,
  key_not_found: KeyNotFound,
  key_exists: KeyExists,
  key_version_not_found: KeyVersionNotFound,
  key_version_below_minimum: KeyVersionBelowMinimum,
  key_version_limit: KeyVersionLimit,
  permission_denied: PermissionDenied,
  deletion_not_allowed: DeletionNotAllowed,
  keystore_unavailable: KeystoreUnavailable,
  audit_unavailable: AuditUnavailable,
  invalid_bech32: InvalidBech32,
  invalid_key_length: InvalidKeyLength,
  invalid_encapsulation_key: InvalidEncapsulationKey,
  invalid_recipient: InvalidRecipient,
  mixed_recipients: MixedRecipients,
};

/** The error for a reply holding `error` (and `code`, from v1.1 on). */
export function errorFromReply(
  reply: { readonly error?: unknown; readonly code?: unknown },
): ServiceError {
  const message = String(reply.error);
  const code = typeof reply.code === "string" ? reply.code : "error";
  const known = Object.hasOwn(SERVICE_ERRORS, code)
    ? SERVICE_ERRORS[code as ErrorCode]
    : undefined;
  return known ? new known(message) : new ServiceError(message, code);
}

/** The reply was not a JSON object of the contract's shape. */
export class BadReply extends KeyServiceClientError {
  /** The code of every {@linkcode BadReply}. */
  static override readonly code = "bad_reply";
  /** `bad_reply`. */
  readonly code = "bad_reply";
}
