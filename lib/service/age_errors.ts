/**
 * The wire errors for the age modules' errors (lib/crypto/age).
 *
 * @example
 * ```ts
 * import { ageWireError } from "./age_errors.ts";
 * import { LowOrderShare } from "../crypto/age/errors.ts";
 *
 * ageWireError(new LowOrderShare(), "recipient"); // an InvalidRecipient
 * ```
 * @module
 */
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
import {
  DecryptionFailed,
  InvalidBech32,
  InvalidCiphertext,
  InvalidEncapsulationKey,
  InvalidKeyLength,
  InvalidRecipient,
  MixedRecipients,
  wireError,
  WrongKeyType,
} from "./errors.ts";

/**
 * The wire error for an age module's error about the request field `field`;
 * any other error as {@linkcode wireError} makes it.
 */
export function ageWireError(error: unknown, field: string): unknown {
  if (error instanceof MalformedBech32) {
    return new InvalidBech32(field, error.reason);
  }
  if (error instanceof WrongKeyLength) {
    return new InvalidKeyLength(field, error.keyType, error.expected);
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
  return wireError(error, field);
}
