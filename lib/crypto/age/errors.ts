/**
 * The age modules' errors: crypto-layer errors (see ../errors.ts), each with
 * a stable `code`, none holding key bytes. The service maps them to its wire
 * errors.
 *
 * @example
 * ```ts
 * import { MalformedBech32 } from "./errors.ts";
 *
 * const error = new MalformedBech32("the checksum does not match");
 * console.log(error.code); // "malformed_bech32"
 * ```
 * @module
 */

import { CryptoError } from "../errors.ts";

/** A recipient or identity is not valid Bech32 (characters, case, checksum). */
export class MalformedBech32 extends CryptoError {
  readonly code = "malformed_bech32";
  /** What is wrong, as a phrase. */
  readonly reason: string;
  constructor(reason: string) {
    super(`Not valid Bech32: ${reason}`);
    this.reason = reason;
  }
}

/** A Bech32 string of another kind than asked for (its prefix). */
export class UnexpectedAgeKey extends CryptoError {
  readonly code = "unexpected_age_key";
  /** What was expected, as a phrase (`an age recipient`). */
  readonly expected: string;
  constructor(expected: string) {
    super(`Expected ${expected}`);
    this.expected = expected;
  }
}

/** A key decodes to the wrong number of bytes for its type. */
export class WrongKeyLength extends CryptoError {
  readonly code = "wrong_key_length";
  /** The key type (`mlkem768x25519`, `x25519`). */
  readonly keyType: string;
  /** Bytes found. */
  readonly length: number;
  /** Bytes its type has. */
  readonly expected: number;
  constructor(keyType: string, length: number, expected: number) {
    super(`A ${keyType} key is ${expected} bytes, this one ${length}`);
    this.keyType = keyType;
    this.length = length;
    this.expected = expected;
  }
}

/**
 * An ML-KEM-768 encapsulation key fails the FIPS 203 (section 7.2) input
 * check: a coefficient is not below the modulus q = 3329.
 */
export class InvalidEncapsulationKey extends CryptoError {
  readonly code = "invalid_encapsulation_key";
  constructor() {
    super(
      "The ML-KEM-768 encapsulation key fails the FIPS 203 modulus check",
    );
  }
}

/**
 * An X25519 public key or share is a low-order point: the shared secret would
 * be all zeros, which age and X-Wing refuse.
 */
export class LowOrderShare extends CryptoError {
  readonly code = "low_order_share";
  constructor() {
    super("The X25519 key is a low-order point (all-zero shared secret)");
  }
}

/**
 * Post-quantum and classic recipients in one file: age refuses it, since the
 * classic stanza would undo what the hybrid one protects.
 */
export class MixedRecipients extends CryptoError {
  readonly code = "mixed_recipients";
  constructor() {
    super(
      "mlkem768x25519 (post-quantum) and X25519 recipients may not share one file",
    );
  }
}

/** An age file is over one of the documented limits (see limits.ts). */
export class AgeLimitExceeded extends CryptoError {
  readonly code = "age_limit_exceeded";
  /** What is over, as a phrase (`has more than 320 stanzas`). */
  readonly reason: string;
  constructor(reason: string) {
    super(`The age file ${reason}`);
    this.reason = reason;
  }
}

/**
 * An age file does not open: its armor, header or payload is malformed or
 * tampered with, no stanza is for the identity, or the MAC does not verify.
 * `stage` says which (for tests and the conformance vectors); messages and
 * replies never do.
 */
export class AgeDecryptionFailed extends CryptoError {
  readonly code = "age_decryption_failed";
  /** Where it failed, as the CCTV vectors classify it. */
  readonly stage: AgeFailureStage;
  constructor(stage: AgeFailureStage) {
    super("Decryption failed");
    this.stage = stage;
  }
}

/** The failure classes of the C2SP CCTV age vectors. */
export type AgeFailureStage =
  | "armor failure"
  | "header failure"
  | "no match"
  | "HMAC failure"
  | "payload failure";
