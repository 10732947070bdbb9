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
import type {
  KeyDescription,
  KeyMaterial,
  KeySummary,
} from "../keystore/keystore.ts";
import { allows, type Use, USES } from "../keystore/policy.ts";
import {
  DeletionNotAllowed,
  InvalidField,
  InvalidKey,
  KeyExists,
  KeyNotFound,
  KeystoreUnavailable,
  KeyVersionNotFound,
  MissingField,
  PermissionDenied,
  wireError,
} from "./errors.ts";
import type { KeystoreRequest, KeyType } from "./keystore_protocol.ts";
import type { KeystoreContext, Note } from "./keystore_ops.ts";
import type { Reply } from "./protocol.ts";

/** The wire error for a keystore error; others as they are. */
export function fromStore(error: unknown): unknown {
  if (error instanceof stored.KeyNotFound) return new KeyNotFound();
  if (error instanceof stored.KeyExists) return new KeyExists();
  if (error instanceof stored.VersionNotFound) return new KeyVersionNotFound();
  if (error instanceof stored.DeletionNotAllowed) {
    return new DeletionNotAllowed();
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

/** A key as `show_key` and the administrative replies show it. */
function view(key: KeyDescription): Reply {
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
        key: view(
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
          key: view(
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
    case "list_keys": {
      const keys = (await keystore.list()).filter((key) =>
        client === undefined ||
        anyUse(key, client)
      );
      return {
        keys: keys.map((key) => ({
          key_id: key.id,
          key_type: key.type,
          latest_version: key.latestVersion,
          min_decryption_version: key.minDecryptionVersion,
          created_at: key.createdAt,
          updated_at: key.updatedAt,
        })),
      };
    }
    case "show_key": {
      const key = await keystore.describe(request.keyId);
      if (
        !anyUse(key, client)
      ) {
        throw new PermissionDenied("show");
      }
      return { key: view(key) };
    }
    case "rotate_key": {
      const key = await allowed(context, request.keyId, "admin", client);
      const version = await keystore.rotate(
        key.id,
        await newMaterial(context, key.type as KeyType),
      );
      note.version = version;
      return { key: view(await keystore.describe(key.id)) };
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
      return { key: view(await keystore.describe(request.keyId)) };
    }
    case "trim_key": {
      await allowed(context, request.keyId, "admin", client);
      const trimmed = await keystore.trim(request.keyId);
      return { key: view(await keystore.describe(request.keyId)), trimmed };
    }
    case "delete_key":
      await allowed(context, request.keyId, "admin", client);
      await keystore.delete(request.keyId);
      return { key_id: request.keyId, deleted: true };
    default:
      throw new Error(`not an administrative request: ${request.op}`);
  }
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
