// Private: the keystore's tables, for SQLite and PostgreSQL. One row per key,
// one row per key version; (key_id, version) is the versions' primary key,
// so the database itself refuses a second version 4. Rows are read back the
// same way from both.

import type { KeyRow, VersionInfoRow } from "./storage.ts";

/** The tables, in SQLite's dialect. */
export const SCHEMA_SQLITE = `
CREATE TABLE IF NOT EXISTS keystore_meta (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS keystore_keys (
  id TEXT PRIMARY KEY,
  uid TEXT NOT NULL,
  key_type TEXT NOT NULL,
  padding TEXT NOT NULL,
  wrapped_data_key BLOB NOT NULL,
  latest_version INTEGER NOT NULL,
  min_decryption_version INTEGER NOT NULL,
  deletion_allowed INTEGER NOT NULL,
  policy TEXT NOT NULL,
  settings_mac TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS keystore_versions (
  key_id TEXT NOT NULL REFERENCES keystore_keys (id),
  version INTEGER NOT NULL,
  public_key TEXT NOT NULL,
  sealed_private BLOB NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (key_id, version)
);
`;

/** The tables, in PostgreSQL's dialect. */
export const SCHEMA_POSTGRES = SCHEMA_SQLITE.replaceAll("BLOB", "BYTEA");

type Row = Record<string, unknown>;

/** A key's row as a backend's driver returns it. */
export function keyRowFrom(row: Row): KeyRow {
  return {
    id: row.id as string,
    uid: row.uid as string,
    type: row.key_type as string,
    padding: row.padding as string,
    wrappedDataKey: new Uint8Array(row.wrapped_data_key as Uint8Array),
    latestVersion: Number(row.latest_version),
    minDecryptionVersion: Number(row.min_decryption_version),
    deletionAllowed: Number(row.deletion_allowed) === 1,
    policy: row.policy as string,
    settingsMac: row.settings_mac as string,
    createdAt: row.created_at as string,
    updatedAt: row.updated_at as string,
  };
}

/** A version's public part as a backend's driver returns it. */
export function versionInfoFrom(row: Row): VersionInfoRow {
  return {
    version: Number(row.version),
    publicKey: row.public_key as string,
    createdAt: row.created_at as string,
  };
}
