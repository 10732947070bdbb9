/**
 * The interface every age key type implements ({@linkcode AgeKeyType}):
 * generate an identity, derive its recipient, wrap a file key to a recipient
 * (a stanza), unwrap one with an identity; and the checks the native types
 * share. A key store holds any type through it.
 *
 * @example
 * ```ts
 * import { AGE_KEY_TYPES } from "./key_type.ts";
 *
 * AGE_KEY_TYPES; // ["mlkem768x25519", "x25519"]
 * ```
 * @module
 */

import { decodeBech32, encodeBech32 } from "./bech32.ts";
import { AgeDecryptionFailed, WrongKeyLength } from "./errors.ts";
import { decodeBase64Raw, type Stanza } from "./header.ts";
import type { Bytes } from "./_subtle.ts";

/** The names of the key types. */
export const AGE_KEY_TYPES = ["mlkem768x25519", "x25519"] as const;

/** A key type's name. */
export type AgeKeyTypeName = typeof AGE_KEY_TYPES[number];

/** A recipient, parsed and checked, ready to wrap file keys to. */
export interface AgeRecipient {
  readonly type: AgeKeyTypeName;
  /** Wraps a 16-byte file key: one stanza. */
  wrap(fileKey: Bytes): Promise<Stanza>;
}

/** An identity, opened (its keys in WebCrypto), ready to unwrap stanzas. */
export interface AgeIdentity {
  readonly type: AgeKeyTypeName;
  /**
   * Whether `stanza` is of this identity's type. Throws
   * `AgeDecryptionFailed` ("header failure") for a stanza of this type that
   * is malformed (argument count, share length, body length), as age
   * requires.
   */
  claims(stanza: Stanza): boolean;
  /**
   * The file key in `stanza` (one it {@linkcode claims}) if it is for this
   * identity; undefined for another recipient's. Throws
   * `AgeDecryptionFailed` ("header failure") for a low-order X25519 share.
   */
  unwrap(stanza: Stanza): Promise<Bytes | undefined>;
}

/** One native age key type. */
export interface AgeKeyType {
  readonly name: AgeKeyTypeName;
  /** The recipient's Bech32 prefix (`age1pq`, `age`). */
  readonly recipientPrefix: string;
  /** The identity's Bech32 prefix (`AGE-SECRET-KEY-PQ-`, `AGE-SECRET-KEY-`). */
  readonly identityPrefix: string;
  /** Bytes of a recipient's key. */
  readonly recipientBytes: number;
  /** Whether it resists quantum computers (age does not mix the two). */
  readonly postQuantum: boolean;
  /** A new identity (Bech32, upper case) from the platform CSPRNG. */
  generateIdentity(): Promise<string>;
  /** The recipient (Bech32, lower case) of an identity. */
  recipientOf(identity: string): Promise<string>;
  /** Parses and checks a recipient string. */
  parseRecipient(recipient: string): Promise<AgeRecipient>;
  /** Parses and opens an identity string. */
  parseIdentity(identity: string): Promise<AgeIdentity>;
}

/**
 * A new identity of `type`: 32 bytes from the platform CSPRNG (both native
 * types), as Bech32 in upper case.
 */
export function newIdentity(type: AgeKeyType): Promise<string> {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  try {
    return Promise.resolve(encodeBech32(type.identityPrefix, secret));
  } finally {
    secret.fill(0);
  }
}

/** Bytes of a native stanza body: the file key and its tag. */
export const BODY_BYTES = 16 + 16;

export function headerFailure(): AgeDecryptionFailed {
  return new AgeDecryptionFailed("header failure");
}

/**
 * Whether a stanza is of type `name`: two arguments, the second canonical
 * base64 of `shareBytes` bytes, and a 32-byte body, else a header failure.
 */
export function claims(
  { args, body }: Stanza,
  name: string,
  shareBytes: number,
): boolean {
  if (args[0] !== name) return false;
  const share = args.length === 2 ? decodeBase64Raw(args[1]) : undefined;
  if (share?.length !== shareBytes || body.length !== BODY_BYTES) {
    throw headerFailure();
  }
  return true;
}

/** The 32-byte secret of an identity string of `type`. */
export function identityBytes(type: AgeKeyType, identity: string): Bytes {
  const bytes = decodeBech32(
    identity,
    type.identityPrefix,
    `an age ${type.name} identity (${type.identityPrefix}1...)`,
  );
  if (bytes.length !== 32) {
    throw new WrongKeyLength(`${type.name} identity`, bytes.length, 32);
  }
  return bytes;
}

export function recipientBytes(type: AgeKeyType, recipient: string): Bytes {
  const bytes = decodeBech32(
    recipient,
    type.recipientPrefix,
    `an age ${type.name} recipient (${type.recipientPrefix}1...)`,
  );
  if (bytes.length !== type.recipientBytes) {
    throw new WrongKeyLength(
      `${type.name} recipient`,
      bytes.length,
      type.recipientBytes,
    );
  }
  return bytes;
}
