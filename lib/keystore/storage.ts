/**
 * What a keystore backend stores: one row per key and one row per key
 * version, with the private keys and data keys already sealed (see
 * sealing.ts). Backends keep the same rules: version numbers are given by
 * the database inside a transaction, and (key id, version) is unique, so
 * that two rotations at once, from one instance or two, make two versions.
 *
 * @example
 * ```ts
 * import type { KeyStorage } from "./storage.ts";
 *
 * async function count(storage: KeyStorage): Promise<number> {
 *   return (await storage.listKeys({ limit: 100 })).length;
 * }
 * ```
 * @module
 */

/** A key's row. */
export interface KeyRow {
  /** The key's name, unique in the store. */
  readonly id: string;
  /** Random, made at creation: a key deleted and made again differs. */
  readonly uid: string;
  /** The key type, e.g. `rsa-2048`. */
  readonly type: string;
  /** The padding its ciphertexts use by default, e.g. `oaep-sha256`. */
  readonly padding: string;
  /** The data key, sealed under the master key. */
  readonly wrappedDataKey: Uint8Array;
  /** The newest version's number. */
  readonly latestVersion: number;
  /** Versions below it are refused for decryption. */
  readonly minDecryptionVersion: number;
  /** Whether `deleteKey` may remove it. */
  readonly deletionAllowed: boolean;
  /** The policy, as JSON text. */
  readonly policy: string;
  /**
   * HMAC-SHA-256 (hex), under a key derived from the master key, of the
   * settings that decide who may do what: id, uid, type, padding, minimum
   * decryption version, deletion, policy. A row edited in the database
   * without the master key no longer matches, and is refused.
   */
  readonly settingsMac: string;
  /** ISO 8601 times. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A version's row, without its sealed private key. */
export interface VersionInfoRow {
  readonly version: number;
  /** The public key, SPKI PEM. */
  readonly publicKey: string;
  readonly createdAt: string;
}

/** A version's row. */
export interface VersionRow extends VersionInfoRow {
  /** The private key (PKCS#1 DER), sealed under the key's data key. */
  readonly sealedPrivate: Uint8Array;
}

/** Seals a new version's private key once its number is known. */
export type SealVersion = (version: number) => {
  readonly publicKey: string;
  readonly sealedPrivate: Uint8Array;
};

/** A key's settings after a change, with their new MAC. */
export interface KeySettings {
  readonly minDecryptionVersion: number;
  readonly deletionAllowed: boolean;
  readonly policy: string;
  readonly settingsMac: string;
}

/** A keystore backend. Every method may throw `StorageFailed`. */
export interface KeyStorage {
  /** `sqlite` or `postgres`. */
  readonly kind: string;
  /** Where it is, for the start-up line (never a password). */
  readonly location: string;
  /** Creates the tables when missing. */
  init(): Promise<void>;
  /** A value of the store's own (the master key's check value). */
  getMeta(name: string): Promise<string | undefined>;
  /** Sets `name` unless it is set; resolves to the value it then has. */
  setMetaIfAbsent(name: string, value: string): Promise<string>;
  /**
   * Inserts a key and its version 1, in one transaction. Throws `KeyExists`.
   */
  insertKey(key: KeyRow, first: VersionRow): Promise<void>;
  /**
   * Adds the next version in one transaction: the number comes from the
   * key's row (locked), `seal` seals for it, the row is inserted. Resolves
   * to the number; throws `KeyNotFound`, and `TooManyVersions` when the key
   * holds `maxVersions` already (counted with the row locked, so two
   * rotations at once cannot both pass).
   */
  addVersion(
    id: string,
    maxVersions: number,
    seal: SealVersion,
    now: string,
  ): Promise<number>;
  getKey(id: string): Promise<KeyRow | undefined>;
  /** Up to `limit` keys by id, from the first id after `after` when given. */
  listKeys(
    page: { readonly after?: string; readonly limit: number },
  ): Promise<KeyRow[]>;
  /** Every version's public part, oldest first. */
  getVersions(id: string): Promise<VersionInfoRow[]>;
  getVersion(id: string, version: number): Promise<VersionRow | undefined>;
  /**
   * Changes a key's settings in one transaction, the row locked: `change`
   * gets the row as it is and gives the settings it is to have. False when
   * there is no such key.
   */
  updateKey(
    id: string,
    change: (row: KeyRow) => KeySettings,
    now: string,
  ): Promise<boolean>;
  /** Deletes the versions below the minimum; resolves to how many. */
  trim(id: string, now: string): Promise<number>;
  /** Deletes a key and its versions; false when there is no such key. */
  deleteKey(id: string): Promise<boolean>;
  /**
   * Replaces every key's wrapped data key and settings MAC (`rewrap` gives
   * the new ones) and the meta value `check`, in one transaction; resolves
   * to how many keys.
   */
  rewrapAll(
    rewrap: (
      row: KeyRow,
    ) => { readonly wrappedDataKey: Uint8Array; readonly settingsMac: string },
    check: { readonly name: string; readonly value: string },
  ): Promise<number>;
  close(): Promise<void>;
}
