/**
 * Opens the keystore a configuration names: a PostgreSQL URL
 * (`postgres://...`), or a SQLite file (by default `keystore.db` in the data
 * folder, created with the folder). The master key comes from a file; for
 * the embedded default, when neither the file nor the database exists yet,
 * a new master key file (0600) is made beside the database, and a warning
 * says that production keeps it elsewhere. A store that exists without its
 * master key is refused: it cannot be read.
 *
 * @example
 * ```ts
 * import { openKeystore } from "./open.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const opened = await openKeystore({ dataDir: dir });
 * opened.location; // ".../keystore.db"
 * await opened.keystore.close();
 * ```
 * @module
 */

import { MasterKeyUnavailable } from "./errors.ts";
import { Keystore } from "./keystore.ts";
import { createMasterKeyFile, readMasterKeyFile } from "./sealing.ts";
import { SqliteStorage } from "./sqlite.ts";
import type { KeyStorage } from "./storage.ts";

/** Where the keystore and its master key are. */
export interface KeystoreLocation {
  /** A PostgreSQL URL or a SQLite file's path. Default `<dataDir>/keystore.db`. */
  readonly keystore?: string;
  /** The data folder, made (0700) when missing. */
  readonly dataDir: string;
  /**
   * The master key file. Default (SQLite only) `master.key` beside the
   * database, made on first start.
   */
  readonly masterKeyFile?: string;
  /** Versions a key may hold at once. Default 100. */
  readonly maxVersions?: number;
}

/** An opened keystore, and what to tell about it. */
export interface OpenedKeystore {
  readonly keystore: Keystore;
  /** `sqlite` or `postgres`. */
  readonly kind: string;
  /** The file, or the URL without its password. */
  readonly location: string;
  /** Set when a master key file was made on this start. */
  readonly createdMasterKey?: string;
  /**
   * A copy of the master key, for the request threads' own connections
   * (see {@linkcode openKeystoreWith}); the caller zeroes it when done.
   */
  readonly master: Uint8Array;
}

/**
 * Opens a further connection to a keystore already opened (and its master
 * key already read) on another thread: SQLite through node:sqlite cannot
 * cross threads, so each thread has its own connection (WAL, a busy
 * timeout); PostgreSQL its own small pool.
 */
export async function openKeystoreWith(
  location: KeystoreLocation,
  master: Uint8Array,
): Promise<Keystore> {
  const storage: KeyStorage =
    location.keystore !== undefined && isPostgresUrl(location.keystore)
      ? await postgresStorage(location.keystore, { max: 2 })
      : new SqliteStorage(sqlitePath(location));
  try {
    return await Keystore.open(storage, master, location);
  } catch (error) {
    await storage.close().catch(() => {});
    throw error;
  }
}

/**
 * The PostgreSQL backend, loaded only when a keystore is on PostgreSQL: its
 * driver is a module graph of its own that every thread of an embedded
 * keystore would otherwise load and keep.
 */
async function postgresStorage(
  url: string,
  options?: { max?: number },
): Promise<KeyStorage> {
  const { PostgresStorage } = await import("./postgres.ts");
  return new PostgresStorage(url, options);
}

/** Whether `location` names a PostgreSQL database. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//.test(location);
}

/** The SQLite file of a configuration. */
export function sqlitePath(location: KeystoreLocation): string {
  return location.keystore ?? `${location.dataDir}/keystore.db`;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Opens the keystore. Throws `MasterKeyUnavailable`, `MasterKeyMismatch` or
 * `StorageFailed`, each with a message fit for one line.
 */
export async function openKeystore(
  location: KeystoreLocation,
): Promise<OpenedKeystore> {
  let storage: KeyStorage;
  let master: Uint8Array;
  let createdMasterKey: string | undefined;
  if (location.keystore !== undefined && isPostgresUrl(location.keystore)) {
    if (location.masterKeyFile === undefined) {
      throw new MasterKeyUnavailable(
        "a PostgreSQL keystore needs --master-key-file: without the master key it cannot be read",
      );
    }
    master = readMasterKeyFile(location.masterKeyFile);
    storage = await postgresStorage(location.keystore);
  } else {
    const path = sqlitePath(location);
    const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const keyFile = location.masterKeyFile ?? `${dir}/master.key`;
    if (location.masterKeyFile === undefined && !exists(keyFile)) {
      if (exists(path)) {
        throw new MasterKeyUnavailable(
          `the keystore ${path} exists but its master key ${keyFile} does not: it cannot be read`,
        );
      }
      const made = createMasterKeyFile(keyFile);
      if (made !== undefined) createdMasterKey = keyFile;
      master = made ?? readMasterKeyFile(keyFile);
    } else master = readMasterKeyFile(keyFile);
    storage = new SqliteStorage(path);
  }
  try {
    const keystore = await Keystore.open(storage, master, location);
    return {
      keystore,
      kind: storage.kind,
      location: storage.location,
      createdMasterKey,
      master: master.slice(),
    };
  } catch (error) {
    await storage.close().catch(() => {});
    throw error;
  } finally {
    master.fill(0);
  }
}
