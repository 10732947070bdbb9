/**
 * Errors the key service answers with (the wire errors), one class for each
 * code of the contract's table (lib/contract/errors.ts), whose message it
 * fills in. Each class carries a stable `code` string that clients can
 * branch on, also as a static `code`; the `message` is for people and never
 * holds key material or any part of the request: it names the field and the
 * reason in fixed words, and the service's own limits, never a label,
 * identifier, count or length the client sent. Crypto errors become wire
 * errors, with their field, through {@linkcode wireError}.
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
 * UnknownType.code; // "unknown_type", without an instance
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
import {
  ERROR_CODES,
  type ErrorCode,
  errorMessage,
} from "../contract/errors.ts";

/** Every code a {@linkcode KeyServiceError} carries: the contract's table. */
export { ERROR_CODES, type ErrorCode };

/**
 * Every error the service reports to a client. Each subclass has its
 * contract code as a static `code` (readable without an instance, as jose's
 * errors), and each instance the same as `code`.
 */
export abstract class KeyServiceError extends Error {
  /** The subclass's code of the contract. */
  declare static readonly code: ErrorCode;
  /** A stable, machine-readable code such as `invalid_json`. */
  readonly code: ErrorCode;
  constructor(message: string) {
    super(message);
    this.code = (new.target as unknown as { readonly code: ErrorCode }).code;
  }
  override get name(): string {
    return this.constructor.name;
  }
}

/** The request is not UTF-8 JSON. */
export class InvalidJson extends KeyServiceError {
  static override readonly code = "invalid_json";
  constructor() {
    super(errorMessage("invalid_json"));
  }
}

/** The request is JSON but not a JSON object. */
export class NotAnObject extends KeyServiceError {
  static override readonly code = "not_an_object";
  constructor() {
    super(errorMessage("not_an_object"));
  }
}

/** The request's `type` names no operation (the seed's exact message). */
export class UnknownType extends KeyServiceError {
  static override readonly code = "unknown_type";
  constructor() {
    super(errorMessage("unknown_type"));
  }
}

/** A required field is absent. */
export class MissingField extends KeyServiceError {
  static override readonly code = "missing_field";
  /** The name of the absent field. */
  readonly field: string;
  constructor(field: string) {
    super(errorMessage("missing_field", { field }));
    this.field = field;
  }
}

/** A field is present but not a usable string. */
export class InvalidField extends KeyServiceError {
  static override readonly code = "invalid_field";
  /** The name of the offending field. */
  readonly field: string;
  constructor(field: string, why: string) {
    super(errorMessage("invalid_field", { field, why }));
    this.field = field;
  }
}

/** A PEM block is malformed: armour, base64 body or DER structure. */
export class InvalidPem extends KeyServiceError {
  static override readonly code = "invalid_pem";
  constructor(field: string, why: string) {
    super(errorMessage("invalid_pem", { field, why }));
  }
}

/** A PEM label that does not fit the field, or a key not of RSA. */
export class WrongKeyType extends KeyServiceError {
  static override readonly code = "wrong_key_type";
  /** `what` completes "Field "x" must hold ...". */
  constructor(field: string, what: string) {
    super(errorMessage("wrong_key_type", { field, what }));
  }
}

/** The passphrase does not open the encrypted private key. */
export class InvalidPassphrase extends KeyServiceError {
  static override readonly code = "invalid_passphrase";
  constructor() {
    super(errorMessage("invalid_passphrase"));
  }
}

/** The key parses but is not a usable RSA key. */
export class InvalidKey extends KeyServiceError {
  static override readonly code = "invalid_key";
  constructor(field: string, why: string) {
    super(errorMessage("invalid_key", { field, why }));
  }
}

/** The plaintext does not fit in one PKCS#1 v1.5 block for the key. */
export class PlaintextTooLong extends KeyServiceError {
  static override readonly code = "plaintext_too_long";
  constructor(field: string, limit: number) {
    super(errorMessage("plaintext_too_long", { field, limit }));
  }
}

/** Not strict base64, not the modulus's length, or not below the modulus. */
export class InvalidCiphertext extends KeyServiceError {
  static override readonly code = "invalid_ciphertext";
  constructor(field: string, why: string) {
    super(errorMessage("invalid_ciphertext", { field, why }));
  }
}

/** Decryption failed: one message for every cause, so it tells nothing. */
export class DecryptionFailed extends KeyServiceError {
  static override readonly code = "decryption_failed";
  constructor() {
    super(errorMessage("decryption_failed"));
  }
}

/** A request arrived as more than one ZeroMQ frame. */
export class MultipartRequest extends KeyServiceError {
  static override readonly code = "multipart_request";
  constructor() {
    super(errorMessage("multipart_request"));
  }
}

/** The request is larger than the service accepts. */
export class RequestTooLarge extends KeyServiceError {
  static override readonly code = "request_too_large";
  constructor(limit: number) {
    super(errorMessage("request_too_large", { limit }));
  }
}

/** Too many requests are in flight; the client may retry later. */
export class Overloaded extends KeyServiceError {
  static override readonly code = "overloaded";
  constructor() {
    super(errorMessage("overloaded"));
  }
}

/** Something failed inside the service; the details stay in the service. */
export class InternalError extends KeyServiceError {
  static override readonly code = "internal_error";
  constructor() {
    super(errorMessage("internal_error"));
  }
}

/** v1.2: no stored key has this id. */
export class KeyNotFound extends KeyServiceError {
  static override readonly code = "key_not_found";
  constructor() {
    super(errorMessage("key_not_found"));
  }
}

/** v1.2: `create_key` or `import_key` for an id that is taken. */
export class KeyExists extends KeyServiceError {
  static override readonly code = "key_exists";
  constructor() {
    super(errorMessage("key_exists"));
  }
}

/** v1.2: the version is not held (never made, or trimmed). */
export class KeyVersionNotFound extends KeyServiceError {
  static override readonly code = "key_version_not_found";
  constructor() {
    super(errorMessage("key_version_not_found"));
  }
}

/** v1.2: a ciphertext under a version below the minimum decryption version. */
export class KeyVersionBelowMinimum extends KeyServiceError {
  static override readonly code = "key_version_below_minimum";
  constructor() {
    super(errorMessage("key_version_below_minimum"));
  }
}

/** v1.2: a rotation past the versions a key may hold; trim it first. */
export class KeyVersionLimit extends KeyServiceError {
  static override readonly code = "key_version_limit";
  constructor(max: number) {
    super(errorMessage("key_version_limit", { max }));
  }
}

/** v1.2: the key's policy does not allow this client this use. */
export class PermissionDenied extends KeyServiceError {
  static override readonly code = "permission_denied";
  /** `use`: one of the service's fixed names of uses, never request bytes. */
  constructor(use: string) {
    super(errorMessage("permission_denied", { use }));
  }
}

/** v1.2: `delete_key` on a key whose configuration forbids it. */
export class DeletionNotAllowed extends KeyServiceError {
  static override readonly code = "deletion_not_allowed";
  constructor() {
    super(errorMessage("deletion_not_allowed"));
  }
}

/** v1.2: no keystore, or it cannot be read or written now. */
export class KeystoreUnavailable extends KeyServiceError {
  static override readonly code = "keystore_unavailable";
  constructor() {
    super(errorMessage("keystore_unavailable"));
  }
}

/** v1.2: the audit log cannot be written, so the operation was refused. */
export class AuditUnavailable extends KeyServiceError {
  static override readonly code = "audit_unavailable";
  constructor() {
    super(errorMessage("audit_unavailable"));
  }
}

/** An age recipient or identity is not valid Bech32. */
export class InvalidBech32 extends KeyServiceError {
  static override readonly code = "invalid_bech32";
  constructor(field: string, why: string) {
    super(errorMessage("invalid_bech32", { field, why }));
  }
}

/** An age recipient or identity decodes to the wrong number of bytes. */
export class InvalidKeyLength extends KeyServiceError {
  static override readonly code = "invalid_key_length";
  /** `length` stays out of the message: it is the request's. */
  constructor(field: string, what: string, expected: number) {
    super(
      errorMessage("invalid_key_length", {
        field,
        what: article(what) + " " + what,
        expected,
      }),
    );
  }
}

/** A hybrid recipient's ML-KEM-768 key fails the FIPS 203 modulus check. */
export class InvalidEncapsulationKey extends KeyServiceError {
  static override readonly code = "invalid_encapsulation_key";
  constructor(field: string) {
    super(errorMessage("invalid_encapsulation_key", { field }));
  }
}

/** An age recipient's X25519 key is a low-order point (all-zero secret). */
export class InvalidRecipient extends KeyServiceError {
  static override readonly code = "invalid_recipient";
  constructor(field: string) {
    super(errorMessage("invalid_recipient", { field }));
  }
}

/**
 * RSA public keys and age recipients in one request, or post-quantum and
 * classic age recipients in one file.
 */
export class MixedRecipients extends KeyServiceError {
  static override readonly code = "mixed_recipients";
  constructor(why: string) {
    super(errorMessage("mixed_recipients", { why }));
  }
}

/**
 * The service's class for each code of the contract: the type holds it to
 * the table, one class per code, each with its own code.
 */
export const WIRE_ERRORS: {
  readonly [C in ErrorCode]: { readonly code: C };
} = {
  invalid_json: InvalidJson,
  not_an_object: NotAnObject,
  unknown_type: UnknownType,
  missing_field: MissingField,
  invalid_field: InvalidField,
  invalid_pem: InvalidPem,
  wrong_key_type: WrongKeyType,
  invalid_passphrase: InvalidPassphrase,
  invalid_key: InvalidKey,
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

/**
 * The wire error for a crypto error about the request field `field`. Errors
 * that are not the crypto layer's come back as they are.
 */
export function wireError(error: unknown, field: string): unknown {
  if (error instanceof MalformedKey) return new InvalidPem(field, error.reason);
  if (error instanceof UnexpectedKeyType) {
    // Fixed words: the label found is the client's bytes.
    const { expected } = error;
    return new WrongKeyType(
      field,
      `${article(expected)} ${expected} PEM block, not another label`,
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
    return new PlaintextTooLong(field, error.limit);
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
