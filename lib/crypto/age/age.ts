/**
 * age files (c2sp.org/age v1): encryption of a plaintext to recipients of one
 * key type (a fresh file key, one stanza per recipient, the header MAC, the
 * STREAM payload) and decryption with identities, all-or-nothing.
 *
 * @example
 * ```ts
 * import { decryptAge, encryptAge } from "./age.ts";
 * import { MLKEM768X25519, parseIdentity, parseRecipient } from "./recipients.ts";
 *
 * const identity = await MLKEM768X25519.generateIdentity();
 * const recipient = await parseRecipient(await MLKEM768X25519.recipientOf(identity));
 * const file = await encryptAge([recipient], new TextEncoder().encode("hi"));
 * await decryptAge(file, [await parseIdentity(identity)]); // the bytes of "hi"
 * ```
 * @module
 */

import {
  AgeDecryptionFailed,
  AgeLimitExceeded,
  MixedRecipients,
} from "./errors.ts";
import {
  parseHeader,
  type Stanza,
  verifyHeaderMac,
  writeHeader,
} from "./header.ts";
import { MAX_RECIPIENTS } from "./limits.ts";
import {
  type AgeIdentity,
  type AgeRecipient,
  KEY_TYPES,
} from "./recipients.ts";
import {
  decryptPayload,
  type DecryptPayloadOptions,
  encryptPayload,
  PAYLOAD_NONCE_BYTES,
} from "./stream.ts";
import { type Bytes, concat, wipe } from "./_subtle.ts";

/**
 * Throws `MixedRecipients` when post-quantum and classic recipients are
 * asked for together (age refuses it), `AgeLimitExceeded` past 256.
 */
export function checkRecipients(recipients: readonly AgeRecipient[]): void {
  if (recipients.length === 0 || recipients.length > MAX_RECIPIENTS) {
    throw new AgeLimitExceeded(`needs 1 to ${MAX_RECIPIENTS} recipients`);
  }
  const pq = recipients.map((r) => KEY_TYPES[r.type].postQuantum);
  if (pq.some((p) => p !== pq[0])) throw new MixedRecipients();
}

/** Options of {@linkcode encryptAge}. */
export interface EncryptAgeOptions {
  /**
   * Stanzas wrapped at once. A few overlap the WebCrypto calls of each
   * stanza (which are many and small); many only contend for the same
   * threads. @default 8
   */
  readonly concurrency?: number;
}

/**
 * `fn` of each item, in order, with at most `limit` running at once; the
 * first rejection rejects the whole (the others still settle).
 */
export async function mapPooled<T, U>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<U>,
): Promise<U[]> {
  const results: U[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  return results;
}

/** Options of {@linkcode decryptAge}. */
export interface DecryptAgeOptions extends DecryptPayloadOptions {
  /** Stanzas tried at once. @default 4 */
  readonly concurrency?: number;
}

/** An age file (binary) of `plaintext` for every one of `recipients`. */
export async function encryptAge(
  recipients: readonly AgeRecipient[],
  plaintext: Bytes,
  options: EncryptAgeOptions = {},
): Promise<Bytes> {
  checkRecipients(recipients);
  const fileKey = crypto.getRandomValues(new Uint8Array(16));
  try {
    // Each stanza awaits WebCrypto, so other requests are served meanwhile.
    const stanzas = await mapPooled(
      recipients,
      options.concurrency ?? 8,
      (recipient) => recipient.wrap(fileKey),
    );
    const header = await writeHeader(stanzas, fileKey);
    return concat(header, await encryptPayload(fileKey, plaintext));
  } finally {
    wipe(fileKey);
  }
}

/**
 * The file key of the first stanza (in header order) that opens, trying up to
 * `limit` at once: the outcome is the one trying them one by one gives (an
 * error in a stanza before the first that opens is thrown), in less time for
 * a member far down a large group's header.
 */
async function firstUnwrapped(
  candidates: readonly (readonly [Stanza, AgeIdentity])[],
  limit: number,
): Promise<Bytes | undefined> {
  let found: { index: number; key: Bytes } | undefined;
  let failed: { index: number; error: unknown } | undefined;
  let next = 0;
  const worker = async () => {
    while (next < candidates.length) {
      const index = next++;
      if (found !== undefined || failed !== undefined) {
        // Nothing after the first key or error can change the outcome.
        if (index > (found ?? failed)!.index) return;
      }
      const [stanza, identity] = candidates[index];
      try {
        const key = await identity.unwrap(stanza);
        if (key === undefined) continue;
        if (key.length !== 16) throw new AgeDecryptionFailed("header failure");
        if (found === undefined || index < found.index) {
          if (found !== undefined) wipe(found.key);
          found = { index, key };
        } else wipe(key);
      } catch (error) {
        if (failed === undefined || index < failed.index) {
          failed = { index, error };
        }
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, candidates.length) }, worker),
  );
  if (
    failed !== undefined && (found === undefined || failed.index < found.index)
  ) {
    if (found !== undefined) wipe(found.key);
    throw failed.error;
  }
  return found?.key;
}

/**
 * The plaintext of an age file (binary) for one of `identities`. Throws
 * `AgeDecryptionFailed` (its `stage` says where: header, no match, HMAC,
 * payload) or `AgeLimitExceeded`.
 */
export async function decryptAge(
  file: Uint8Array,
  identities: readonly AgeIdentity[],
  options: DecryptAgeOptions = {},
): Promise<Bytes> {
  const header = parseHeader(file);
  // A missing or short payload nonce, and a scrypt stanza beside others (age
  // requires it alone), are header failures, as age classifies them.
  const scrypt = header.stanzas.some((stanza) => stanza.args[0] === "scrypt");
  if (
    file.length - header.payloadOffset < PAYLOAD_NONCE_BYTES ||
    (scrypt && header.stanzas.length > 1)
  ) {
    throw new AgeDecryptionFailed("header failure");
  }
  // Every stanza is checked first, so that a malformed one is refused
  // wherever it stands, as age requires; then stanzas are opened in order
  // until one gives the file key (age carries no recipient identifiers, so a
  // member of a group pays one decapsulation per stanza before its own).
  const candidates: [Stanza, AgeIdentity][] = [];
  for (const stanza of header.stanzas) {
    for (const identity of identities) {
      if (identity.claims(stanza)) candidates.push([stanza, identity]);
    }
  }
  const fileKey = await firstUnwrapped(
    candidates,
    options.concurrency ?? 4,
  );
  if (fileKey === undefined) throw new AgeDecryptionFailed("no match");
  try {
    if (!await verifyHeaderMac(fileKey, header)) {
      throw new AgeDecryptionFailed("HMAC failure");
    }
    return await decryptPayload(
      fileKey,
      file.subarray(header.payloadOffset),
      options,
    );
  } finally {
    wipe(fileKey);
  }
}
