/**
 * The crypto layer's errors. Each class carries a stable `code`; messages
 * describe the key or ciphertext, never hold any of its bytes, and name no
 * request field: the service layer, which knows the fields, maps these to its
 * wire errors.
 *
 * @example
 * ```ts
 * import { CryptoError, UnusableKey } from "./errors.ts";
 *
 * try {
 *   throw new UnusableKey("modulus is even");
 * } catch (error) {
 *   if (error instanceof CryptoError) console.log(error.code); // "unusable_key"
 * }
 * ```
 * @module
 */

/** Every error the crypto layer throws on bad input. */
export abstract class CryptoError extends Error {
  /** A stable, machine-readable code such as `malformed_key`. */
  abstract readonly code: string;
  override get name(): string {
    return this.constructor.name;
  }
}

/** A key's encoding is malformed: PEM armour, base64 body or DER structure. */
export class MalformedKey extends CryptoError {
  readonly code = "malformed_key";
  /** What is wrong, as a phrase (`the body is not valid base64`). */
  readonly reason: string;
  constructor(reason: string) {
    super(`Not a valid PEM key: ${reason}`);
    this.reason = reason;
  }
}

/** A PEM block holds another kind of key than the one asked for. */
export class UnexpectedKeyType extends CryptoError {
  readonly code = "unexpected_key_type";
  /** The PEM label expected, such as `RSA PUBLIC KEY`. */
  readonly expected: string;
  /**
   * `expected` the label wanted; the label found is not kept: it is the
   * client's bytes, and nothing may carry them on to a reply or a log.
   */
  constructor(expected: string) {
    super(`PEM label is not "${expected}"`);
    this.expected = expected;
  }
}

/** The key parses but is not a usable RSA key. */
export class UnusableKey extends CryptoError {
  readonly code = "unusable_key";
  /** What is wrong, as a phrase (`modulus is even`). */
  readonly reason: string;
  constructor(reason: string) {
    super(`Not a usable RSA key: ${reason}`);
    this.reason = reason;
  }
}

/** The message does not fit one encryption block for the key. */
export class MessageTooLong extends CryptoError {
  readonly code = "message_too_long";
  /** The message's length in bytes. */
  readonly length: number;
  /** The most this key can encrypt, in bytes. */
  readonly limit: number;
  constructor(length: number, limit: number) {
    super(`Message is longer than the ${limit} bytes this key can encrypt`);
    this.length = length;
    this.limit = limit;
  }
}

/** The ciphertext is not modulus-long, or not below the modulus. */
export class MalformedCiphertext extends CryptoError {
  readonly code = "malformed_ciphertext";
  /** What is wrong, as a phrase (`is not below the key's modulus`). */
  readonly reason: string;
  constructor(reason: string) {
    super(`Ciphertext ${reason}`);
    this.reason = reason;
  }
}

/**
 * Decrypting a well-formed ciphertext failed. One message for every cause
 * (bad padding, wrong key), so that it tells an attacker nothing.
 */
export class DecryptionError extends CryptoError {
  readonly code = "decryption_error";
  constructor() {
    super("Decryption failed");
  }
}

/**
 * A key of another algorithm than RSA (rsaEncryption) in an SPKI or PKCS#8
 * structure: EC, Ed25519, RSASSA-PSS, ...
 */
export class UnsupportedKeyAlgorithm extends CryptoError {
  readonly code = "unsupported_key_algorithm";
  /**
   * The algorithm found, in fixed words: its name where known (`an EC
   * key`), else `another algorithm`; never its identifier.
   */
  readonly algorithm: string;
  constructor(algorithm: string) {
    super(`Expected an RSA (rsaEncryption) key, found ${algorithm}`);
    this.algorithm = algorithm;
  }
}

/** The private key is encrypted and no passphrase was given. */
export class PassphraseRequired extends CryptoError {
  readonly code = "passphrase_required";
  constructor() {
    super("The private key is encrypted: a passphrase is required");
  }
}

/** The passphrase does not open the encrypted private key. */
export class WrongPassphrase extends CryptoError {
  readonly code = "wrong_passphrase";
  constructor() {
    super("The passphrase does not open the private key");
  }
}

/** No usable libcrypto 3 could be opened; `message` says what was tried. */
export class LibcryptoUnavailable extends CryptoError {
  readonly code = "libcrypto_unavailable";
  constructor(tried: readonly string[]) {
    super(`cannot use libcrypto (tried: ${tried.join("; ")})`);
  }
}
