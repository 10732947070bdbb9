/**
 * age's native key types, behind one interface ({@linkcode AgeKeyType}), so
 * that the service, the command line and a key store handle them alike:
 * generate an identity, derive its recipient, wrap a file key to a recipient
 * (a stanza), unwrap a file key with an identity.
 *
 * - `mlkem768x25519`: hybrid post-quantum, X-Wing in HPKE (`age1pq1...`,
 *   `AGE-SECRET-KEY-PQ-1...`), age 1.3 and later.
 * - `x25519`: classic (`age1...`, `AGE-SECRET-KEY-1...`), every age version.
 *
 * Identities are 32 random bytes for both; recipients are checked on parsing
 * (length; the FIPS 203 modulus check for the ML-KEM part).
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

import { decodeBech32, encodeBech32 } from "./bech32.ts";
import {
  AgeDecryptionFailed,
  LowOrderShare,
  MalformedBech32,
  UnexpectedAgeKey,
  WrongKeyLength,
} from "./errors.ts";
import { decodeBase64Raw, encodeBase64Raw, type Stanza } from "./header.ts";
import { openBase, sealBase } from "./hpke.ts";
import {
  type Bytes,
  chachaKey,
  chachaOpen,
  chachaSeal,
  concat,
  exportX25519Public,
  hkdfSha256,
  importX25519Private,
  importX25519Public,
  subtle,
  wipe,
  x25519,
} from "./_subtle.ts";
import {
  importXWingPublicKey,
  openXWingKey,
  XWING_CIPHERTEXT_BYTES,
  XWING_PUBLIC_KEY_BYTES,
  XWING_SEED_BYTES,
  type XWingKey,
} from "./xwing.ts";

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
   * The file key in `stanza` if it is for this identity; undefined for a
   * stanza of another type or another recipient. Throws
   * `AgeDecryptionFailed` ("header failure") for a stanza of this type that
   * is malformed, as age requires.
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

const encoder = new TextEncoder();
const X25519_INFO = encoder.encode("age-encryption.org/v1/X25519");
const HPKE_INFO = encoder.encode("age-encryption.org/mlkem768x25519");
const ZERO_NONCE = new Uint8Array(12);
const FILE_KEY_BYTES = 16;
const BODY_BYTES = FILE_KEY_BYTES + 16;

function headerFailure(): AgeDecryptionFailed {
  return new AgeDecryptionFailed("header failure");
}

/** The 32-byte secret of an identity string of `type`. */
function identityBytes(type: AgeKeyType, identity: string): Bytes {
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

function recipientBytes(type: AgeKeyType, recipient: string): Bytes {
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

/** age's `mlkem768x25519` recipient type. */
export const MLKEM768X25519: AgeKeyType = {
  name: "mlkem768x25519",
  recipientPrefix: "age1pq",
  identityPrefix: "AGE-SECRET-KEY-PQ-",
  recipientBytes: XWING_PUBLIC_KEY_BYTES,
  postQuantum: true,
  generateIdentity() {
    const seed = crypto.getRandomValues(new Uint8Array(XWING_SEED_BYTES));
    try {
      return Promise.resolve(encodeBech32(this.identityPrefix, seed));
    } finally {
      wipe(seed);
    }
  },
  async recipientOf(identity) {
    const seed = identityBytes(this, identity);
    try {
      const key = await openXWingKey(seed);
      return encodeBech32(this.recipientPrefix, key.publicKey);
    } finally {
      wipe(seed);
    }
  },
  async parseRecipient(recipient) {
    const key = await importXWingPublicKey(recipientBytes(this, recipient));
    return {
      type: "mlkem768x25519",
      async wrap(fileKey) {
        const { enc, ciphertext } = await sealBase(key, HPKE_INFO, fileKey);
        return {
          args: ["mlkem768x25519", encodeBase64Raw(enc)],
          body: ciphertext,
        };
      },
    };
  },
  async parseIdentity(identity) {
    const seed = identityBytes(this, identity);
    let key: XWingKey;
    try {
      key = await openXWingKey(seed);
    } finally {
      wipe(seed);
    }
    return {
      type: "mlkem768x25519",
      async unwrap({ args, body }) {
        if (args[0] !== "mlkem768x25519") return undefined;
        const enc = args.length === 2 ? decodeBase64Raw(args[1]) : undefined;
        if (enc?.length !== XWING_CIPHERTEXT_BYTES) throw headerFailure();
        if (body.length !== BODY_BYTES) throw headerFailure();
        try {
          return await openBase(key, enc, HPKE_INFO, body as Bytes);
        } catch (error) {
          // age aborts on the all-zero X25519 secret.
          if (error instanceof LowOrderShare) throw headerFailure();
          throw error;
        }
      },
    };
  },
};

/** age's classic `X25519` recipient type. */
export const X25519: AgeKeyType = {
  name: "x25519",
  recipientPrefix: "age",
  identityPrefix: "AGE-SECRET-KEY-",
  recipientBytes: 32,
  postQuantum: false,
  generateIdentity() {
    const secret = crypto.getRandomValues(new Uint8Array(32));
    try {
      return Promise.resolve(encodeBech32(this.identityPrefix, secret));
    } finally {
      wipe(secret);
    }
  },
  async recipientOf(identity) {
    const secret = identityBytes(this, identity);
    try {
      const key = await importX25519Private(secret);
      const pub = await subtle.getPublicKey(key, []);
      return encodeBech32(this.recipientPrefix, await exportX25519Public(pub));
    } finally {
      wipe(secret);
    }
  },
  async parseRecipient(recipient) {
    const bytes = recipientBytes(this, recipient);
    const key = await importX25519Public(bytes);
    return {
      type: "x25519",
      async wrap(fileKey) {
        const ephemeral = await subtle.generateKey({ name: "X25519" }, false, [
          "deriveBits",
        ]) as CryptoKeyPair;
        const share = await exportX25519Public(ephemeral.publicKey);
        const shared = await x25519(ephemeral.privateKey, key);
        if (shared === undefined) throw new LowOrderShare();
        const body = await sealWith(shared, concat(share, bytes), fileKey);
        return { args: ["X25519", encodeBase64Raw(share)], body };
      },
    };
  },
  async parseIdentity(identity) {
    const secret = identityBytes(this, identity);
    let key: CryptoKey;
    let publicBytes: Bytes;
    try {
      key = await importX25519Private(secret);
      publicBytes = await exportX25519Public(
        await subtle.getPublicKey(key, []),
      );
    } finally {
      wipe(secret);
    }
    return {
      type: "x25519",
      async unwrap({ args, body }) {
        if (args[0] !== "X25519") return undefined;
        const share = args.length === 2 ? decodeBase64Raw(args[1]) : undefined;
        if (share?.length !== 32) throw headerFailure();
        if (body.length !== BODY_BYTES) throw headerFailure();
        const shared = await x25519(key, await importX25519Public(share));
        if (shared === undefined) throw headerFailure();
        const wrapKey = await chachaKey(
          await hkdfSha256(shared, concat(share, publicBytes), X25519_INFO),
        );
        wipe(shared);
        try {
          return await chachaOpen(wrapKey, ZERO_NONCE, body as Bytes);
        } catch {
          return undefined;
        }
      },
    };
  },
};

async function sealWith(
  shared: Bytes,
  salt: Bytes,
  fileKey: Bytes,
): Promise<Bytes> {
  const raw = await hkdfSha256(shared, salt, X25519_INFO);
  wipe(shared);
  const key = await chachaKey(raw);
  wipe(raw);
  return chachaSeal(key, ZERO_NONCE, fileKey);
}

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
