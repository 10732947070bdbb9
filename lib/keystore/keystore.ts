/**
 * The keystore: named keys with numbered versions, over a
 * {@linkcode KeyStorage} backend. Every version's private key is sealed
 * (AES-256-GCM) under its key's data key, with the key id and the version as
 * associated data; data keys are sealed under the master key. Private keys
 * leave this module only to be used inside the service (`privateKey`);
 * what it tells about a key (`describe`) holds public keys alone.
 *
 * @example
 * ```ts
 * import { Keystore } from "./keystore.ts";
 * import { newKey } from "./sealing.ts";
 * import { SqliteStorage } from "./sqlite.ts";
 *
 * const keystore = await Keystore.open(new SqliteStorage(":memory:"), newKey());
 * await keystore.create({
 *   id: "group-7",
 *   type: "rsa-2048",
 *   padding: "oaep-sha256",
 *   material: { publicKey: "-----BEGIN PUBLIC KEY-----\n...", privateKey: new Uint8Array(8) },
 * });
 * (await keystore.describe("group-7")).latestVersion; // 1
 * await keystore.close();
 * ```
 * @module
 */

import {
  DeletionNotAllowed,
  InvalidMinVersion,
  KeyNotFound,
  MasterKeyMismatch,
  VersionNotFound,
} from "./errors.ts";
export { TooManyVersions } from "./errors.ts";
import {
  type CreateKeyOptions,
  type KeyDescription,
  type KeyMaterial,
  type KeySummary,
  settingsText,
  summary,
} from "./description.ts";
import { defaultPolicy, type Policy } from "./policy.ts";
import {
  CHECK_AAD,
  cursorKey,
  dataKeyAad,
  mac,
  newKey,
  open,
  openCursor,
  seal,
  sealCursor,
  settingsMacKey,
  versionAad,
} from "./sealing.ts";
import type { KeyRow, KeyStorage } from "./storage.ts";

export { KEY_ID_PATTERN } from "./key_id.ts";
export type { CreateKeyOptions, KeyDescription, KeyMaterial, KeySummary };

import { DEFAULT_MAX_VERSIONS, MAX_VERSIONS_LIMIT } from "./limits.ts";

export { DEFAULT_MAX_VERSIONS, MAX_VERSIONS_LIMIT };

/** How a keystore is opened. */
export interface KeystoreOptions {
  /**
   * Versions a key may hold at once (1 to {@linkcode MAX_VERSIONS_LIMIT}):
   * a rotation past it throws `TooManyVersions`.
   * @default {100}
   */
  readonly maxVersions?: number;
}

const CHECK_NAME = "master_check";
const CHECK_TEXT = "keyservice master key check";

function now(): string {
  return new Date().toISOString();
}

/** Named, versioned keys, sealed at rest. */
export class Keystore {
  /** The backend. */
  readonly storage: KeyStorage;
  /** Versions a key may hold at once. */
  readonly maxVersions: number;
  #master: Uint8Array;
  #macKey: Uint8Array;
  #cursorKey: Uint8Array;

  private constructor(
    storage: KeyStorage,
    master: Uint8Array,
    maxVersions: number,
  ) {
    this.storage = storage;
    this.maxVersions = maxVersions;
    this.#master = master.slice();
    this.#macKey = settingsMacKey(master);
    this.#cursorKey = cursorKey(master);
  }

  /** The MAC of a row's settings under `macKey`. */
  #mac(row: KeyRow, macKey = this.#macKey): string {
    return mac(macKey, settingsText(row, row));
  }

  /**
   * The row, once its settings MAC holds. Throws `MasterKeyMismatch`: the
   * settings were changed without the master key (in the database).
   */
  #checked(row: KeyRow): KeyRow {
    if (this.#mac(row) !== row.settingsMac) {
      throw new MasterKeyMismatch("this key's settings");
    }
    return row;
  }

  /**
   * Opens the keystore in `storage` with `master`: creates its tables, and
   * on first use records a check value sealed under `master`; after that,
   * refuses (`MasterKeyMismatch`) a master key that does not open it.
   * Throws `RangeError` for a `maxVersions` out of range.
   */
  static async open(
    storage: KeyStorage,
    master: Uint8Array,
    options: KeystoreOptions = {},
  ): Promise<Keystore> {
    const maxVersions = options.maxVersions ?? DEFAULT_MAX_VERSIONS;
    if (
      !Number.isInteger(maxVersions) || maxVersions < 1 ||
      maxVersions > MAX_VERSIONS_LIMIT
    ) {
      throw new RangeError(
        `maxVersions must be from 1 to ${MAX_VERSIONS_LIMIT}`,
      );
    }
    await storage.init();
    const check = seal(master, new TextEncoder().encode(CHECK_TEXT), CHECK_AAD)
      .toBase64();
    const stored = await storage.setMetaIfAbsent(CHECK_NAME, check);
    open(master, Uint8Array.fromBase64(stored), CHECK_AAD, "this keystore");
    return new Keystore(storage, master, maxVersions);
  }

  /** Creates a key with its version 1. Throws `KeyExists`. */
  async create(options: CreateKeyOptions): Promise<KeyDescription> {
    const { id } = options;
    const dataKey = newKey();
    const at = now();
    const uid = crypto.randomUUID();
    const type = options.type;
    const padding = options.padding;
    const settings = {
      minDecryptionVersion: 1,
      deletionAllowed: options.deletionAllowed ?? false,
      policy: JSON.stringify(options.policy ?? defaultPolicy(options.creator)),
    };
    try {
      await this.storage.insertKey({
        id,
        uid,
        type,
        padding,
        wrappedDataKey: seal(this.#master, dataKey, dataKeyAad(id)),
        latestVersion: 1,
        ...settings,
        settingsMac: mac(
          this.#macKey,
          settingsText({ id, uid, type, padding }, settings),
        ),
        createdAt: at,
        updatedAt: at,
      }, {
        version: 1,
        createdAt: at,
        publicKey: options.material.publicKey,
        sealedPrivate: seal(
          dataKey,
          options.material.privateKey,
          versionAad(id, 1),
        ),
      });
    } finally {
      dataKey.fill(0);
    }
    return await this.describe(id);
  }

  /**
   * Adds a version made of `material`; resolves to its number. Throws
   * `KeyNotFound`, and `TooManyVersions` when the key holds
   * {@linkcode maxVersions} already.
   */
  async rotate(id: string, material: KeyMaterial): Promise<number> {
    const dataKey = await this.#dataKey(id);
    try {
      return await this.storage.addVersion(id, this.maxVersions, (version) => ({
        publicKey: material.publicKey,
        sealedPrivate: seal(
          dataKey,
          material.privateKey,
          versionAad(id, version),
        ),
      }), now());
    } finally {
      dataKey.fill(0);
    }
  }

  /** A key's row (no versions). Throws `KeyNotFound`. */
  async summary(id: string): Promise<KeySummary> {
    const row = await this.storage.getKey(id);
    if (row === undefined) throw new KeyNotFound();
    return summary(this.#checked(row));
  }

  /** A key and its versions' public keys. Throws `KeyNotFound`. */
  async describe(id: string): Promise<KeyDescription> {
    const key = await this.summary(id);
    return { ...key, versions: await this.storage.getVersions(id) };
  }

  /**
   * Up to `limit` keys' rows, by id, from the first id after `after` (from
   * the first key without it).
   */
  async list(
    page: { readonly after?: string; readonly limit: number },
  ): Promise<KeySummary[]> {
    return (await this.storage.listKeys(page)).map((row) =>
      summary(this.#checked(row))
    );
  }

  /** `after` as an opaque cursor (see sealing.ts's `sealCursor`). */
  sealCursor(after: string): string {
    return sealCursor(this.#cursorKey, after);
  }

  /** The key id a cursor of {@linkcode sealCursor} holds, or undefined. */
  openCursor(cursor: string): string | undefined {
    return openCursor(this.#cursorKey, cursor);
  }

  /** A version's public key. Throws `KeyNotFound`, `VersionNotFound`. */
  async publicKey(id: string, version: number): Promise<string> {
    const row = await this.storage.getVersion(id, version);
    if (row === undefined) throw await this.#missing(id, version);
    return row.publicKey;
  }

  /**
   * A version's private key, unsealed, for the service's own use (wipe it
   * after). Throws `KeyNotFound`, `VersionNotFound`, `MasterKeyMismatch`.
   */
  async privateKey(id: string, version: number): Promise<Uint8Array> {
    const row = await this.storage.getVersion(id, version);
    if (row === undefined) throw await this.#missing(id, version);
    const dataKey = await this.#dataKey(id);
    try {
      return open(
        dataKey,
        row.sealedPrivate,
        versionAad(id, version),
        `version ${version} of this key`,
      );
    } finally {
      dataKey.fill(0);
    }
  }

  /**
   * Sets the minimum decryption version (the oldest version held to the
   * latest). Throws
   * `KeyNotFound`, `InvalidMinVersion`.
   */
  async setMinDecryptionVersion(id: string, version: number): Promise<void> {
    const key = await this.summary(id);
    // Never below a trimmed version: what was trimmed stays gone.
    const oldest = (await this.storage.getVersions(id))[0]?.version ?? 1;
    if (
      !Number.isInteger(version) || version < oldest ||
      version > key.latestVersion
    ) {
      throw new InvalidMinVersion(oldest, key.latestVersion);
    }
    await this.#update(id, { minDecryptionVersion: version });
  }

  /** Changes the policy or whether deletion is allowed. */
  async configure(
    id: string,
    changes: { readonly policy?: Policy; readonly deletionAllowed?: boolean },
  ): Promise<void> {
    await this.#update(id, {
      deletionAllowed: changes.deletionAllowed,
      policy: changes.policy === undefined
        ? undefined
        : JSON.stringify(changes.policy),
    });
  }

  /** Deletes the versions below the minimum; resolves to how many. */
  async trim(id: string): Promise<number> {
    await this.summary(id);
    return await this.storage.trim(id, now());
  }

  /** Deletes a key. Throws `KeyNotFound`, `DeletionNotAllowed`. */
  async delete(id: string): Promise<void> {
    const key = await this.summary(id);
    if (!key.deletionAllowed) throw new DeletionNotAllowed();
    if (!await this.storage.deleteKey(id)) throw new KeyNotFound();
  }

  /**
   * Seals every data key under `next` instead, in one transaction, and
   * uses `next` from then on; no private key is touched. Resolves to the
   * number of keys.
   */
  async rotateMasterKey(next: Uint8Array): Promise<number> {
    const master = this.#master;
    const nextMacKey = settingsMacKey(next);
    const count = await this.storage.rewrapAll((row) => {
      this.#checked(row);
      const dataKey = open(master, row.wrappedDataKey, dataKeyAad(row.id));
      try {
        return {
          wrappedDataKey: seal(next, dataKey, dataKeyAad(row.id)),
          settingsMac: this.#mac(row, nextMacKey),
        };
      } finally {
        dataKey.fill(0);
      }
    }, {
      name: CHECK_NAME,
      value: seal(next, new TextEncoder().encode(CHECK_TEXT), CHECK_AAD)
        .toBase64(),
    });
    this.#master = next.slice();
    this.#macKey = nextMacKey;
    this.#cursorKey = cursorKey(next);
    master.fill(0);
    return count;
  }

  /** Closes the backend. */
  async close(): Promise<void> {
    await this.storage.close();
  }

  /** Changes settings of a key whose settings MAC holds, with a new MAC. */
  async #update(
    id: string,
    changes: {
      readonly minDecryptionVersion?: number;
      readonly deletionAllowed?: boolean;
      readonly policy?: string;
    },
  ): Promise<void> {
    const updated = await this.storage.updateKey(id, (row) => {
      this.#checked(row);
      const settings = {
        minDecryptionVersion: changes.minDecryptionVersion ??
          row.minDecryptionVersion,
        deletionAllowed: changes.deletionAllowed ?? row.deletionAllowed,
        policy: changes.policy ?? row.policy,
      };
      return {
        ...settings,
        settingsMac: mac(this.#macKey, settingsText(row, settings)),
      };
    }, now());
    if (!updated) throw new KeyNotFound();
  }

  async #dataKey(id: string): Promise<Uint8Array> {
    const row = await this.storage.getKey(id);
    if (row === undefined) throw new KeyNotFound();
    return open(this.#master, row.wrappedDataKey, dataKeyAad(id), "this key");
  }

  async #missing(id: string, version: number): Promise<Error> {
    return await this.storage.getKey(id) === undefined
      ? new KeyNotFound()
      : new VersionNotFound(version);
  }
}
