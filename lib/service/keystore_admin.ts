/**
 * Contract v1.2's administrative operations on stored keys: `create_key`,
 * `import_key`, `list_keys`, `show_key`, `rotate_key`, `configure_key`,
 * `trim_key`, `delete_key`. Called by {@linkcode KeystoreOperations}, which
 * records each in the audit log; here each is checked against the key's
 * policy and carried out.
 *
 * @example
 * ```ts ignore
 * const reply = await adminOperation(context, { type: "keystore", op: "list_keys" }, undefined, {});
 * ```
 * @module
 */

import {
  openPrivateKey,
  parsePrivateKey,
  PassphraseRequired,
  publicKeyPem,
  type RsaPrivateKey,
} from "../crypto/mod.ts";
import * as stored from "../keystore/errors.ts";
import type { KeyMaterial, KeySummary } from "../keystore/keystore.ts";
import { allows, type Use, USES } from "../keystore/policy.ts";
import {
  DeletionNotAllowed,
  InvalidField,
  InvalidKey,
  KeyExists,
  KeyNotFound,
  KeystoreUnavailable,
  KeyVersionLimit,
  KeyVersionNotFound,
  MissingField,
  PermissionDenied,
  wireError,
} from "./errors.ts";
import {
  type KeystoreRequest,
  type KeyType,
  MAX_LIST_LIMIT,
} from "./keystore_protocol.ts";
import type { KeystoreContext, Note } from "./keystore_ops.ts";
import type { Reply } from "./protocol.ts";
import { keyView, listEntry } from "./keystore_views.ts";

/** The wire error for a keystore error; others as they are. */
export function fromStore(error: unknown): unknown {
  if (error instanceof stored.KeyNotFound) return new KeyNotFound();
  if (error instanceof stored.KeyExists) return new KeyExists();
  if (error instanceof stored.VersionNotFound) return new KeyVersionNotFound();
  if (error instanceof stored.DeletionNotAllowed) {
    return new DeletionNotAllowed();
  }
  if (error instanceof stored.TooManyVersions) {
    return new KeyVersionLimit(error.max);
  }
  if (error instanceof stored.InvalidMinVersion) {
    return new InvalidField(
      "min_decryption_version",
      error.message.replace(/^The minimum decryption version /, ""),
    );
  }
  if (error instanceof stored.KeystoreError) return new KeystoreUnavailable();
  return error;
}

/** Whether `client` may use the key in any way (see it, list it). */
function anyUse(key: KeySummary, client: string | undefined): boolean {
  return USES.some((use) => allows(key.policy, use, client));
}

/** The key's row, once its policy allows `client` to `use` it. */
export async function allowed(
  context: KeystoreContext,
  keyId: string,
  use: Use,
  client: string | undefined,
): Promise<KeySummary> {
  const key = await context.keystore.summary(keyId);
  if (!allows(key.policy, use, client)) throw new PermissionDenied(use);
  return key;
}

/** Carries out an administrative request. */
export async function adminOperation(
  context: KeystoreContext,
  request: KeystoreRequest,
  client: string | undefined,
  note: Note,
): Promise<Reply> {
  const { keystore } = context;
  switch (request.op) {
    case "create_key": {
      note.version = 1;
      const material = await newMaterial(context, request.keyType);
      return {
        key: keyView(
          await keystore.create({
            id: request.keyId,
            type: request.keyType,
            padding: request.padding ?? "oaep-sha256",
            material,
            creator: client,
            policy: request.policy,
            deletionAllowed: request.deletionAllowed,
          }),
        ),
      };
    }
    case "import_key": {
      note.version = 1;
      const key = await importKey(
        context,
        request.rsaPrivate,
        request.passphrase,
      );
      const type = `rsa-${key.size * 8}`;
      try {
        const material = {
          publicKey: publicKeyPem(key),
          privateKey: key.der,
        };
        return {
          key: keyView(
            await keystore.create({
              id: request.keyId,
              type,
              padding: request.padding ?? "oaep-sha256",
              material,
              creator: client,
              policy: request.policy,
              deletionAllowed: request.deletionAllowed,
            }),
          ),
        };
      } finally {
        key.der.fill(0);
      }
    }
    case "list_keys":
      return await listPage(context, request.limit, request.cursor, client);
    case "show_key": {
      const key = await keystore.describe(request.keyId);
      if (
        !anyUse(key, client)
      ) {
        throw new PermissionDenied("show");
      }
      return { key: keyView(key) };
    }
    case "rotate_key": {
      const key = await allowed(context, request.keyId, "admin", client);
      // Before making a key pair that could not be stored (the storage
      // checks again, atomically, as it adds the version).
      const held = (await keystore.describe(key.id)).versions.length;
      if (held >= keystore.maxVersions) {
        throw new KeyVersionLimit(keystore.maxVersions);
      }
      const version = await keystore.rotate(
        key.id,
        await newMaterial(context, key.type as KeyType),
      );
      note.version = version;
      return { key: keyView(await keystore.describe(key.id)) };
    }
    case "configure_key": {
      await allowed(context, request.keyId, "admin", client);
      if (request.minDecryptionVersion !== undefined) {
        await keystore.setMinDecryptionVersion(
          request.keyId,
          request.minDecryptionVersion,
        );
        note.version = request.minDecryptionVersion;
      }
      if (
        request.policy !== undefined || request.deletionAllowed !== undefined
      ) {
        await keystore.configure(request.keyId, {
          policy: request.policy,
          deletionAllowed: request.deletionAllowed,
        });
      }
      return { key: keyView(await keystore.describe(request.keyId)) };
    }
    case "trim_key": {
      await allowed(context, request.keyId, "admin", client);
      const trimmed = await keystore.trim(request.keyId);
      return { key: keyView(await keystore.describe(request.keyId)), trimmed };
    }
    case "delete_key":
      await allowed(context, request.keyId, "admin", client);
      await keystore.delete(request.keyId);
      return { key_id: request.keyId, deleted: true };
    default:
      throw new Error(`not an administrative request: ${request.op}`);
  }
}

/**
 * Rows one `list_keys` request reads at most, whatever its client may see:
 * a client that may use few of many keys gets short pages (each with a
 * cursor) rather than making one request scan the whole store.
 */
const MAX_LIST_SCAN = 4 * MAX_LIST_LIMIT;

/**
 * One page of the keys `client` may use, by id, from after `cursor`: at
 * most `limit` keys, with `more` and, when there may be more, the cursor
 * of the next page (the last id this one read).
 */
async function listPage(
  context: KeystoreContext,
  limit: number,
  cursor: string | undefined,
  client: string | undefined,
): Promise<Reply> {
  const keys: KeySummary[] = [];
  let after = cursor === undefined
    ? undefined
    : context.keystore.openCursor(cursor);
  if (cursor !== undefined && after === undefined) {
    throw new InvalidField(
      "cursor",
      "must be a next_cursor of a list_keys reply",
    );
  }
  let scanned = 0;
  let more = true;
  while (keys.length < limit && scanned < MAX_LIST_SCAN) {
    // One row past the page: whether another page follows, without a read.
    const want = Math.min(limit - keys.length + 1, MAX_LIST_SCAN - scanned);
    const rows = await context.keystore.list({ after, limit: want });
    scanned += rows.length;
    for (const key of rows) {
      if (keys.length === limit) break;
      after = key.id;
      if (client === undefined || anyUse(key, client)) keys.push(key);
    }
    if (rows.length < want) {
      more = keys.length === limit && rows.at(-1)?.id !== after;
      break;
    }
  }
  return {
    keys: keys.map(listEntry),
    more,
    ...(more && after !== undefined
      ? { next_cursor: context.keystore.sealCursor(after) }
      : {}),
  };
}

/** A new version's key pair for `type`. */
async function newMaterial(
  context: KeystoreContext,
  type: KeyType,
): Promise<KeyMaterial> {
  const bits = Number(type.slice("rsa-".length));
  const pair = bits === 2048
    ? await context.keyPairs.take()
    : await context.limiter.run(() => context.generate(bits));
  const key = parsePrivateKey(pair.private);
  return { publicKey: publicKeyPem(key), privateKey: key.der };
}

async function importKey(
  context: KeystoreContext,
  pem: string,
  passphrase: string | undefined,
): Promise<RsaPrivateKey> {
  let key: RsaPrivateKey;
  try {
    key = parsePrivateKey(pem, context.keyLimits);
  } catch (error) {
    if (!(error instanceof PassphraseRequired)) {
      throw wireError(error, "rsa_private");
    }
    if (passphrase === undefined) throw new MissingField("passphrase");
    try {
      key = await context.passphraseLimiter.run(() =>
        openPrivateKey(pem, passphrase, context.keyLimits)
      );
    } catch (error) {
      throw wireError(error, "rsa_private");
    }
  }
  if (![2048, 3072, 4096].includes(key.size * 8)) {
    key.der.fill(0);
    throw new InvalidKey(
      "rsa_private",
      "a stored key has 2048, 3072 or 4096 bits",
    );
  }
  return key;
}
