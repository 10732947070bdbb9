/**
 * age's classic recipient type, `X25519`: recipients `age1...`, identities
 * `AGE-SECRET-KEY-1...`, readable by every age version.
 *
 * @example
 * ```ts
 * import { X25519 } from "./x25519.ts";
 *
 * const identity = await X25519.generateIdentity();
 * (await X25519.recipientOf(identity)).startsWith("age1"); // true
 * ```
 * @module
 */

import { encodeBech32 } from "./bech32.ts";
import { LowOrderShare } from "./errors.ts";
import { decodeBase64Raw, encodeBase64Raw } from "./header.ts";
import {
  type AgeKeyType,
  claims,
  headerFailure,
  identityBytes,
  newIdentity,
  recipientBytes,
} from "./key_type.ts";
import {
  type Bytes,
  chachaOpen,
  chachaSeal,
  concat,
  exportX25519Public,
  hkdfDeriveKey,
  hkdfKey,
  importX25519Private,
  importX25519Public,
  subtle,
  wipe,
  x25519,
} from "./_subtle.ts";

const X25519_INFO = new TextEncoder().encode("age-encryption.org/v1/X25519");
const ZERO_NONCE = new Uint8Array(12);

/** age's classic `X25519` recipient type. */
export const X25519: AgeKeyType = {
  name: "x25519",
  recipientPrefix: "age",
  identityPrefix: "AGE-SECRET-KEY-",
  recipientBytes: 32,
  postQuantum: false,
  generateIdentity() {
    return newIdentity(this);
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
      claims: (stanza) => claims(stanza, "X25519", 32),
      async unwrap({ args, body }) {
        if (!claims({ args, body }, "X25519", 32)) return undefined;
        const share = decodeBase64Raw(args[1])!;
        const shared = await x25519(key, await importX25519Public(share));
        if (shared === undefined) throw headerFailure();
        const wrapKey = await wrapKeyOf(shared, concat(share, publicBytes));
        try {
          return await chachaOpen(wrapKey, ZERO_NONCE, body as Bytes);
        } catch {
          return undefined;
        }
      },
    };
  },
};

/** The stanza's wrap key: HKDF-SHA-256(shared secret, salt, info). */
async function wrapKeyOf(shared: Bytes, salt: Bytes): Promise<CryptoKey> {
  try {
    return await hkdfDeriveKey(
      await hkdfKey(shared),
      salt,
      X25519_INFO,
      "ChaCha20-Poly1305",
    );
  } finally {
    wipe(shared);
  }
}

async function sealWith(
  shared: Bytes,
  salt: Bytes,
  fileKey: Bytes,
): Promise<Bytes> {
  return chachaSeal(await wrapKeyOf(shared, salt), ZERO_NONCE, fileKey);
}
