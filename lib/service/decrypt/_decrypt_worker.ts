// Private: a Web Worker that runs RSA private-key decryption off the main
// thread (node:crypto's privateDecrypt is synchronous). Each message is one
// job; every failure inside is reported as `ok: false`, never thrown, so a
// bad request cannot take the worker down. The key's DER arrives transferred
// (this thread owns it) and is wiped after the job; the plaintext goes back
// transferred, so that no copy of either is left behind on this thread.

import type { Padding, RsaPrivateKey } from "../../crypto/mod.ts";
import { decryptWith } from "../../crypto/node_decrypt.ts";

/** A job sent to the worker. */
export interface DecryptJob {
  readonly id: number;
  readonly key: RsaPrivateKey;
  readonly ciphertext: Uint8Array;
  readonly padding: Padding;
}

/** The worker's answer. */
export type DecryptResult =
  | { readonly id: number; readonly ok: true; readonly plaintext: Uint8Array }
  | { readonly id: number; readonly ok: false };

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<DecryptJob>) => void) | null;
  postMessage(message: DecryptResult, transfer: Transferable[]): void;
};

scope.onmessage = ({ data: { id, key, ciphertext, padding } }) => {
  let result: DecryptResult;
  let transfer: Transferable[] = [];
  try {
    const plaintext = decryptWith(padding, key, ciphertext);
    result = { id, ok: true, plaintext };
    transfer = [plaintext.buffer as ArrayBuffer];
  } catch {
    result = { id, ok: false };
  } finally {
    key.der.fill(0);
  }
  scope.postMessage(result, transfer);
};
