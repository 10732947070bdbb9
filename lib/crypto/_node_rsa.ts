// Private: RSA private-key decryption through Deno's `node:crypto`, for
// both encryption schemes. Every failure is the one `DecryptionError`,
// whatever its cause, so that no caller can tell padding errors apart.
//
// The key goes in as the PKCS#1 DER bytes themselves, through a view: a
// KeyObject would be re-exported by Deno as a PKCS#8 PEM string on each call,
// a copy of the private key that no one can wipe.

import { privateDecrypt } from "node:crypto";
import { Buffer } from "node:buffer";
import { DecryptionError } from "./errors.ts";
import type { RsaPrivateKey } from "./rsa_keys.ts";

/** `node:crypto`'s scheme options for `privateDecrypt`. */
export interface NodeScheme {
  readonly padding: number;
  readonly oaepHash?: string;
}

/**
 * Decrypts with `key` under `scheme`; throws `DecryptionError`. The
 * plaintext comes back in a buffer of its own (the caller may transfer or
 * wipe it); the copy `node:crypto` returned is wiped.
 */
export function nodePrivateDecrypt(
  key: RsaPrivateKey,
  ciphertext: Uint8Array,
  scheme: NodeScheme,
): Uint8Array {
  try {
    // A view of the caller's bytes, not a copy.
    const der = Buffer.from(
      key.der.buffer,
      key.der.byteOffset,
      key.der.byteLength,
    );
    const out = privateDecrypt(
      { key: der, format: "der", type: "pkcs1", ...scheme },
      ciphertext,
    );
    const plaintext = new Uint8Array(out);
    out.fill(0);
    return plaintext;
  } catch {
    throw new DecryptionError();
  }
}
