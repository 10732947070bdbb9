/**
 * age's hybrid post-quantum recipient type, `mlkem768x25519`: X-Wing
 * (ML-KEM-768 + X25519) in HPKE, recipients `age1pq1...`, identities
 * `AGE-SECRET-KEY-PQ-1...` (c2sp.org/age, age 1.3 and later).
 *
 * @example
 * ```ts
 * import { MLKEM768X25519 } from "./mlkem768x25519.ts";
 *
 * const identity = await MLKEM768X25519.generateIdentity();
 * (await MLKEM768X25519.recipientOf(identity)).startsWith("age1pq1"); // true
 * ```
 * @module
 */

import { encodeBech32 } from "./bech32.ts";
import { LowOrderShare } from "./errors.ts";
import { decodeBase64Raw, encodeBase64Raw } from "./header.ts";
import { openBase, sealBase } from "./hpke.ts";
import { checkEncapsulationKey, MLKEM768_PUBLIC_KEY_BYTES } from "./mlkem.ts";
import {
  type AgeKeyType,
  claims,
  headerFailure,
  identityBytes,
  newIdentity,
  recipientBytes,
} from "./key_type.ts";
import { type Bytes, wipe } from "./_subtle.ts";
import {
  importXWingPublicKey,
  openXWingKey,
  XWING_CIPHERTEXT_BYTES,
  XWING_PUBLIC_KEY_BYTES,
  type XWingKey,
  type XWingPublicKey,
  xwingPublicKey,
} from "./xwing.ts";

const HPKE_INFO = new TextEncoder().encode("age-encryption.org/mlkem768x25519");

/** age's `mlkem768x25519` recipient type. */
export const MLKEM768X25519: AgeKeyType = {
  name: "mlkem768x25519",
  recipientPrefix: "age1pq",
  identityPrefix: "AGE-SECRET-KEY-PQ-",
  recipientBytes: XWING_PUBLIC_KEY_BYTES,
  postQuantum: true,
  generateIdentity() {
    return newIdentity(this);
  },
  async recipientOf(identity) {
    const seed = identityBytes(this, identity);
    try {
      const key = await openXWingKey(seed);
      return encodeBech32(this.recipientPrefix, await xwingPublicKey(key));
    } finally {
      wipe(seed);
    }
  },
  parseRecipient(recipient) {
    const bytes = recipientBytes(this, recipient);
    // The checks now (length, FIPS 203 modulus); the WebCrypto import with
    // the first stanza, so that a group's imports overlap its wrapping.
    checkEncapsulationKey(bytes.subarray(0, MLKEM768_PUBLIC_KEY_BYTES));
    let key: Promise<XWingPublicKey> | undefined;
    return Promise.resolve({
      type: "mlkem768x25519",
      async wrap(fileKey) {
        key ??= importXWingPublicKey(bytes);
        const { enc, ciphertext } = await sealBase(
          await key,
          HPKE_INFO,
          fileKey,
        );
        return {
          args: ["mlkem768x25519", encodeBase64Raw(enc)],
          body: ciphertext,
        };
      },
    });
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
      claims: (stanza) =>
        claims(stanza, "mlkem768x25519", XWING_CIPHERTEXT_BYTES),
      async unwrap({ args, body }) {
        if (!claims({ args, body }, "mlkem768x25519", XWING_CIPHERTEXT_BYTES)) {
          return undefined;
        }
        const enc = decodeBase64Raw(args[1])!;
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
