/**
 * The age payload: a 16-byte nonce, then the plaintext in 64 KiB chunks,
 * each sealed with ChaCha20-Poly1305 under HKDF(file key, nonce, "payload")
 * and the nonce counter || last-chunk flag (STREAM, c2sp.org/age "Payload").
 * Decryption is all-or-nothing: no plaintext is released unless the whole
 * payload verifies, and at most `maxPlaintextBytes` are decrypted.
 *
 * @example
 * ```ts
 * import { decryptPayload, encryptPayload } from "./stream.ts";
 *
 * const fileKey = crypto.getRandomValues(new Uint8Array(16));
 * const payload = await encryptPayload(fileKey, new Uint8Array([1, 2]));
 * await decryptPayload(fileKey, payload); // Uint8Array [1, 2]
 * ```
 * @module
 */

import { AgeDecryptionFailed, AgeLimitExceeded } from "./errors.ts";
import {
  type Bytes,
  chachaOpen,
  chachaSeal,
  concat,
  hkdfDeriveKey,
  hkdfKey,
} from "./_subtle.ts";

/** Plaintext bytes per chunk. */
export const CHUNK_BYTES = 64 * 1024;
const TAG_BYTES = 16;
/** Bytes of the nonce that starts the payload. */
export const PAYLOAD_NONCE_BYTES = 16;
const info = new TextEncoder().encode("payload");

/** Options of {@linkcode decryptPayload}. */
export interface DecryptPayloadOptions {
  /** Most plaintext bytes decrypted; past it `AgeLimitExceeded`. @default 16 MiB */
  readonly maxPlaintextBytes?: number;
}

function payloadKey(fileKey: Bytes, nonce: Bytes): Promise<CryptoKey> {
  return hkdfKey(fileKey).then((ikm) =>
    hkdfDeriveKey(ikm, nonce, info, "ChaCha20-Poly1305")
  );
}

function chunkNonce(counter: number, last: boolean): Bytes {
  const nonce = new Uint8Array(12);
  new DataView(nonce.buffer).setUint32(7, counter);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/** The payload for `plaintext` under `fileKey`, with a fresh nonce. */
export async function encryptPayload(
  fileKey: Bytes,
  plaintext: Bytes,
): Promise<Bytes> {
  const nonce = crypto.getRandomValues(new Uint8Array(PAYLOAD_NONCE_BYTES));
  const key = await payloadKey(fileKey, nonce);
  const parts: Uint8Array[] = [nonce];
  const chunks = Math.max(1, Math.ceil(plaintext.length / CHUNK_BYTES));
  for (let i = 0; i < chunks; i++) {
    const chunk = plaintext.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES);
    parts.push(await chachaSeal(key, chunkNonce(i, i === chunks - 1), chunk));
  }
  return concat(...parts);
}

/**
 * The plaintext of `payload`. Throws `AgeDecryptionFailed` ("payload
 * failure") for a short nonce, a chunk that does not verify, a missing or
 * empty final chunk, or trailing data; `AgeLimitExceeded` past the limit.
 */
export async function decryptPayload(
  fileKey: Bytes,
  payload: Uint8Array,
  options: DecryptPayloadOptions = {},
): Promise<Bytes> {
  const max = options.maxPlaintextBytes ?? 16 * 1024 * 1024;
  const failure = () => new AgeDecryptionFailed("payload failure");
  if (payload.length < PAYLOAD_NONCE_BYTES) throw failure();
  const sealedLength = payload.length - PAYLOAD_NONCE_BYTES;
  const chunks = Math.max(
    1,
    Math.ceil(sealedLength / (CHUNK_BYTES + TAG_BYTES)),
  );
  if (sealedLength - chunks * TAG_BYTES > max) {
    throw new AgeLimitExceeded(`payload is over ${max} bytes`);
  }
  const key = await payloadKey(fileKey, payload.slice(0, PAYLOAD_NONCE_BYTES));
  const parts: Uint8Array[] = [];
  let offset = PAYLOAD_NONCE_BYTES;
  for (let i = 0; i < chunks; i++) {
    const last = i === chunks - 1;
    const sealed = payload.slice(offset, offset + CHUNK_BYTES + TAG_BYTES);
    offset += sealed.length;
    if (sealed.length < TAG_BYTES) throw failure();
    let chunk: Bytes;
    try {
      chunk = await chachaOpen(key, chunkNonce(i, last), sealed);
    } catch {
      throw failure();
    }
    // Only the first chunk of an empty payload may be empty.
    if (last && chunk.length === 0 && i > 0) throw failure();
    parts.push(chunk);
  }
  const plaintext = concat(...parts);
  for (const part of parts) part.fill(0);
  return plaintext;
}
