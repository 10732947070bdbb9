/**
 * age's native key types, by name and by the prefix of their strings:
 * `mlkem768x25519` (hybrid post-quantum, mlkem768x25519.ts) and `x25519`
 * (classic, x25519.ts), both behind {@linkcode AgeKeyType} (key_type.ts).
 *
 * @example
 * ```ts
 * import { keyTypeOf, MLKEM768X25519 } from "./recipients.ts";
 *
 * const identity = await MLKEM768X25519.generateIdentity();
 * const recipient = await MLKEM768X25519.recipientOf(identity);
 * keyTypeOf(recipient).name; // "mlkem768x25519"
 * ```
 * @module
 */

import { MalformedBech32, UnexpectedAgeKey } from "./errors.ts";
import type {
  AgeIdentity,
  AgeKeyType,
  AgeKeyTypeName,
  AgeRecipient,
} from "./key_type.ts";
import { MLKEM768X25519 } from "./mlkem768x25519.ts";
import { X25519 } from "./x25519.ts";

export * from "./key_type.ts";
export { MLKEM768X25519, X25519 };

/** Every key type, by name. */
export const KEY_TYPES: Readonly<Record<AgeKeyTypeName, AgeKeyType>> = {
  mlkem768x25519: MLKEM768X25519,
  x25519: X25519,
};

/**
 * The key type of a recipient or identity string, by its prefix. Throws
 * `MalformedBech32` when it is not one of age's.
 */
export function keyTypeOf(text: string): AgeKeyType {
  const lower = text.toLowerCase();
  if (lower.startsWith("age1pq1")) return MLKEM768X25519;
  if (lower.startsWith("age-secret-key-pq-1")) return MLKEM768X25519;
  if (lower.startsWith("age1")) return X25519;
  if (lower.startsWith("age-secret-key-1")) return X25519;
  throw new MalformedBech32(
    'does not start with an age prefix ("age1", "age1pq1", "AGE-SECRET-KEY-1", "AGE-SECRET-KEY-PQ-1")',
  );
}

/** Parses a recipient of either type. */
export async function parseRecipient(text: string): Promise<AgeRecipient> {
  const type = keyTypeOf(text);
  if (text.toLowerCase().startsWith("age-secret-key-")) {
    throw new UnexpectedAgeKey("an age recipient (age1...), not an identity");
  }
  return await type.parseRecipient(text);
}

/** Parses an identity of either type. */
export async function parseIdentity(text: string): Promise<AgeIdentity> {
  const type = keyTypeOf(text);
  if (text.toLowerCase().startsWith("age1")) {
    throw new UnexpectedAgeKey(
      "an age identity (AGE-SECRET-KEY-...), not a recipient",
    );
  }
  return await type.parseIdentity(text);
}
