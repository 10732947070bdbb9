// Private: RSA private-key decryption through Deno's `node:crypto`, for
// both encryption schemes. Every failure is the one `DecryptionError`,
// whatever its cause, so that no caller can tell padding errors apart.

import { createPrivateKey, privateDecrypt } from "node:crypto";
import { Buffer } from "node:buffer";
import { DecryptionError } from "./errors.ts";
import type { RsaPrivateKey } from "./rsa_keys.ts";

/** `node:crypto`'s scheme options for `privateDecrypt`. */
export interface NodeScheme {
  readonly padding: number;
  readonly oaepHash?: string;
}

/** Decrypts with `key` under `scheme`; throws `DecryptionError`. */
export function nodePrivateDecrypt(
  key: RsaPrivateKey,
  ciphertext: Uint8Array,
  scheme: NodeScheme,
): Uint8Array {
  try {
    const privateKey = createPrivateKey({
      key: Buffer.from(key.der),
      format: "der",
      type: "pkcs1",
    });
    const out = privateDecrypt({ key: privateKey, ...scheme }, ciphertext);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch {
    throw new DecryptionError();
  }
}
