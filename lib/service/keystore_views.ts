/**
 * What v1.2's replies show of stored keys: a key with its versions
 * (`show_key` and every administrative reply that shows the key) and a
 * key's entry in a `list_keys` page; and the most bytes each reply may have.
 * The bounds are the replies of the largest key the limits allow, written
 * by the same functions: the longest id, 4096-bit public keys (the largest
 * SPKI PEM a stored key has: the exponent is below 2^17), the most
 * versions, the largest policy, the longest numbers and times.
 *
 * @example
 * ```ts
 * import { MAX_KEY_REPLY_BYTES, MAX_LIST_REPLY_BYTES } from "./keystore_views.ts";
 * import { MAX_REPLY_BYTES } from "./protocol.ts";
 *
 * Math.max(MAX_KEY_REPLY_BYTES, MAX_LIST_REPLY_BYTES) <= MAX_REPLY_BYTES; // true
 * ```
 * @module
 */

import { publicKeyPem } from "../crypto/mod.ts";
import type { KeyDescription, KeySummary } from "../keystore/description.ts";
import { MAX_VERSIONS_LIMIT } from "../keystore/limits.ts";
import { USES } from "../keystore/policy.ts";
import { MAX_BATCH, MAX_LIST_LIMIT } from "./keystore_protocol.ts";
import { encodeReply, type Reply } from "./protocol.ts";

/** A key as `show_key` and the administrative replies show it. */
export function keyView(key: KeyDescription): Reply {
  return {
    key_id: key.id,
    key_type: key.type,
    padding: key.padding,
    latest_version: key.latestVersion,
    min_decryption_version: key.minDecryptionVersion,
    deletion_allowed: key.deletionAllowed,
    policy: key.policy,
    created_at: key.createdAt,
    updated_at: key.updatedAt,
    versions: key.versions.map((v) => ({
      version: v.version,
      public_key: v.publicKey,
      created_at: v.createdAt,
    })),
  };
}

/** A key's entry in a `list_keys` page. */
export function listEntry(key: KeySummary): Reply {
  return {
    key_id: key.id,
    key_type: key.type,
    latest_version: key.latestVersion,
    min_decryption_version: key.minDecryptionVersion,
    created_at: key.createdAt,
    updated_at: key.updatedAt,
  };
}

/** The longest time `Date.prototype.toISOString` writes (27 characters). */
const LONGEST_TIME = new Date(8.64e15).toISOString();

/** The largest key the limits allow. */
function largestKey(): KeyDescription {
  // 40 characters a policy entry may have, each written as two in JSON.
  const entries = Array(MAX_BATCH).fill('"'.repeat(40));
  const publicKey = publicKeyPem({
    n: (1n << 4096n) - 1n,
    e: (1n << 17n) - 1n,
    size: 512,
  });
  return {
    id: "k".repeat(128),
    uid: "",
    type: "rsa-4096",
    padding: "oaep-sha256",
    latestVersion: Number.MAX_SAFE_INTEGER,
    minDecryptionVersion: Number.MAX_SAFE_INTEGER,
    deletionAllowed: false,
    policy: Object.fromEntries(USES.map((use) => [use, entries])) as never,
    createdAt: LONGEST_TIME,
    updatedAt: LONGEST_TIME,
    versions: Array(MAX_VERSIONS_LIMIT).fill({
      version: Number.MAX_SAFE_INTEGER,
      publicKey,
      createdAt: LONGEST_TIME,
    }),
  };
}

/**
 * Most bytes of a reply that shows one key (`show_key`, `create_key`,
 * `import_key`, `rotate_key`, `configure_key`, `trim_key` with its count),
 * about 320 KB: the largest key at `MAX_VERSIONS_LIMIT` versions.
 */
export const MAX_KEY_REPLY_BYTES = encodeReply({
  key: keyView(largestKey()),
  trimmed: Number.MAX_SAFE_INTEGER,
}).length;

/**
 * Most bytes of a `list_keys` reply, about 165 KB: `MAX_LIST_LIMIT` entries
 * of the largest key, and the longest cursor.
 */
export const MAX_LIST_REPLY_BYTES = encodeReply({
  keys: Array(MAX_LIST_LIMIT).fill(listEntry(largestKey())),
  more: false,
  // The sealed cursor of the longest id: 12 bytes of IV, the id, the tag.
  next_cursor: "c".repeat(Math.ceil((12 + 128 + 16) * 4 / 3)),
}).length;
