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
import {
  AgeDecryptionFailed,
  AgeLimitExceeded,
  InvalidEncapsulationKey as AgeInvalidEncapsulationKey,
  LowOrderShare,
  MalformedBech32,
  MixedRecipients as AgeMixedRecipients,
  UnexpectedAgeKey,
  WrongKeyLength,
} from "../crypto/age/errors.ts";

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
  "invalid_bech32",
  "invalid_key_length",
  "invalid_encapsulation_key",
  "invalid_recipient",
  "mixed_recipients",
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

/** An age recipient or identity is not valid Bech32. */
export class InvalidBech32 extends KeyServiceError {
  readonly code = "invalid_bech32";
  constructor(field: string, why: string) {
    super(`Field "${field}" is not a valid age key: ${why}`);
  }
}

/** An age recipient or identity decodes to the wrong number of bytes. */
export class InvalidKeyLength extends KeyServiceError {
  readonly code = "invalid_key_length";
  constructor(field: string, what: string, length: number, expected: number) {
    super(
      `Field "${field}" holds a ${what} of ${length} bytes; it must be ${expected}`,
    );
  }
}

/** A hybrid recipient's ML-KEM-768 key fails the FIPS 203 modulus check. */
export class InvalidEncapsulationKey extends KeyServiceError {
  readonly code = "invalid_encapsulation_key";
  constructor(field: string) {
    super(
      `Field "${field}" holds an ML-KEM-768 key that fails the FIPS 203 modulus check`,
    );
  }
}

/** An age recipient's X25519 key is a low-order point (all-zero secret). */
export class InvalidRecipient extends KeyServiceError {
  readonly code = "invalid_recipient";
  constructor(field: string) {
    super(
      `Field "${field}" holds a low-order X25519 key: the shared secret would be all zeros`,
    );
  }
}

/**
 * RSA public keys and age recipients in one request, or post-quantum and
 * classic age recipients in one file.
 */
export class MixedRecipients extends KeyServiceError {
  readonly code = "mixed_recipients";
  constructor(why: string) {
    super(`Recipients may not be mixed: ${why}`);
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
  return ageWireError(error, field);
}

/** {@linkcode wireError} for the age modules' errors. */
function ageWireError(error: unknown, field: string): unknown {
  if (error instanceof MalformedBech32) {
    return new InvalidBech32(field, error.reason);
  }
  if (error instanceof WrongKeyLength) {
    return new InvalidKeyLength(
      field,
      error.keyType,
      error.length,
      error.expected,
    );
  }
  if (error instanceof UnexpectedAgeKey) {
    return new WrongKeyType(field, error.expected);
  }
  if (error instanceof AgeInvalidEncapsulationKey) {
    return new InvalidEncapsulationKey(field);
  }
  if (error instanceof LowOrderShare) return new InvalidRecipient(field);
  if (error instanceof AgeMixedRecipients) {
    return new MixedRecipients(
      "mlkem768x25519 (post-quantum) and X25519 recipients in one file",
    );
  }
  if (error instanceof AgeLimitExceeded) {
    return new InvalidCiphertext(
      field,
      `is over a limit: the age file ${error.reason}`,
    );
  }
  if (error instanceof AgeDecryptionFailed) return new DecryptionFailed();
  return error;
}

/** "an RSA ...", "a PUBLIC ...": by the sound of the label's first word. */
function article(label: string): "a" | "an" {
  const word = label.split(" ")[0];
  // An initialism is read letter by letter: "an RSA", "a DSA", "an EC".
  const initialism = word.length <= 4 && word !== "KEY";
  return (initialism ? /^[AEFHILMNORSX]/ : /^[AEIOU]/).test(word) ? "an" : "a";
}
