/**
 * The embedded keystore backend: one SQLite file through `node:sqlite`, in
 * WAL mode with `synchronous=FULL` (a commit is on disk before it is
 * answered). Calls are synchronous: a transaction runs from its first
 * statement to its commit without yielding, so no other request's
 * statements can interleave with it. `snapshot` writes a consistent copy
 * while the store is in use (the online backup API).
 *
 * @example
 * ```ts
 * import { SqliteStorage } from "./sqlite.ts";
 *
 * const storage = new SqliteStorage(":memory:");
 * await storage.init();
 * (await storage.listKeys({ limit: 10 })).length; // 0
 * await storage.close();
 * ```
 * @module
 */

import { backup, DatabaseSync, type StatementSync } from "node:sqlite";
import {
  KeyExists,
  KeyNotFound,
  KeystoreError,
  StorageFailed,
  TooManyVersions,
} from "./errors.ts";
import type {
  KeyRow,
  KeySettings,
  KeyStorage,
  SealVersion,
  VersionInfoRow,
  VersionRow,
} from "./storage.ts";
import { keyRowFrom, SCHEMA_SQLITE, versionInfoFrom } from "./_schema.ts";

/** A keystore in one SQLite file. */
export class SqliteStorage implements KeyStorage {
  readonly kind = "sqlite";
  readonly location: string;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  /** Opens (creating) the file at `path`. Throws `StorageFailed`. */
  constructor(path: string) {
    this.location = path;
    try {
      this.#db = new DatabaseSync(path);
      this.#db.exec(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; " +
          "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
      );
    } catch (error) {
      throw failed(error, `cannot open the keystore ${path}`);
    }
  }

  init(): Promise<void> {
    return this.#run(() => this.#db.exec(SCHEMA_SQLITE));
  }

  getMeta(name: string): Promise<string | undefined> {
    return this.#run(() =>
      this.#statement("SELECT value FROM keystore_meta WHERE name = ?")
        .get(name)?.value as string | undefined
    );
  }

  setMetaIfAbsent(name: string, value: string): Promise<string> {
    return this.#run(() => {
      this.#statement(
        "INSERT INTO keystore_meta (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING",
      ).run(name, value);
      return this.#statement("SELECT value FROM keystore_meta WHERE name = ?")
        .get(name)!.value as string;
    });
  }

  insertKey(key: KeyRow, first: VersionRow): Promise<void> {
    return this.#run(() =>
      this.#transaction(() => {
        const exists = this.#statement(
          "SELECT 1 FROM keystore_keys WHERE id = ?",
        ).get(key.id);
        if (exists !== undefined) throw new KeyExists();
        this.#statement(
          `INSERT INTO keystore_keys (id, uid, key_type, padding,
             wrapped_data_key, latest_version, min_decryption_version,
             deletion_allowed, policy, settings_mac, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          key.id,
          key.uid,
          key.type,
          key.padding,
          key.wrappedDataKey,
          key.latestVersion,
          key.minDecryptionVersion,
          key.deletionAllowed ? 1 : 0,
          key.policy,
          key.settingsMac,
          key.createdAt,
          key.updatedAt,
        );
        this.#insertVersion(key.id, first);
      })
    );
  }

  addVersion(
    id: string,
    maxVersions: number,
    seal: SealVersion,
    now: string,
  ): Promise<number> {
    return this.#run(() =>
      this.#transaction(() => {
        const held = this.#statement(
          "SELECT count(*) AS n FROM keystore_versions WHERE key_id = ?",
        ).get(id);
        if (Number(held?.n) >= maxVersions) {
          throw new TooManyVersions(maxVersions);
        }
        const row = this.#statement(
          `UPDATE keystore_keys SET latest_version = latest_version + 1,
             updated_at = ? WHERE id = ? RETURNING latest_version`,
        ).get(now, id);
        if (row === undefined) throw new KeyNotFound();
        const version = Number(row.latest_version);
        this.#insertVersion(id, { version, createdAt: now, ...seal(version) });
        return version;
      })
    );
  }

  getKey(id: string): Promise<KeyRow | undefined> {
    return this.#run(() => {
      const row = this.#statement("SELECT * FROM keystore_keys WHERE id = ?")
        .get(id);
      return row === undefined ? undefined : keyRowFrom(row);
    });
  }

  listKeys(
    page: { readonly after?: string; readonly limit: number },
  ): Promise<KeyRow[]> {
    return this.#run(() =>
      this.#statement(
        "SELECT * FROM keystore_keys WHERE id > ? ORDER BY id LIMIT ?",
      ).all(page.after ?? "", page.limit).map(keyRowFrom)
    );
  }

  getVersions(id: string): Promise<VersionInfoRow[]> {
    return this.#run(() =>
      this.#statement(
        `SELECT version, public_key, created_at FROM keystore_versions
         WHERE key_id = ? ORDER BY version`,
      ).all(id).map(versionInfoFrom)
    );
  }

  getVersion(id: string, version: number): Promise<VersionRow | undefined> {
    return this.#run(() => {
      const row = this.#statement(
        "SELECT * FROM keystore_versions WHERE key_id = ? AND version = ?",
      ).get(id, version);
      return row === undefined ? undefined : {
        ...versionInfoFrom(row),
        sealedPrivate: new Uint8Array(row.sealed_private as Uint8Array),
      };
    });
  }

  updateKey(
    id: string,
    change: (row: KeyRow) => KeySettings,
    now: string,
  ): Promise<boolean> {
    return this.#run(() =>
      this.#transaction(() => {
        const row = this.#statement("SELECT * FROM keystore_keys WHERE id = ?")
          .get(id);
        if (row === undefined) return false;
        const next = change(keyRowFrom(row));
        this.#statement(
          `UPDATE keystore_keys SET min_decryption_version = ?,
             deletion_allowed = ?, policy = ?, settings_mac = ?,
             updated_at = ? WHERE id = ?`,
        ).run(
          next.minDecryptionVersion,
          next.deletionAllowed ? 1 : 0,
          next.policy,
          next.settingsMac,
          now,
          id,
        );
        return true;
      })
    );
  }

  trim(id: string, now: string): Promise<number> {
    return this.#run(() =>
      this.#transaction(() => {
        const result = this.#statement(
          `DELETE FROM keystore_versions WHERE key_id = ? AND version <
             (SELECT min_decryption_version FROM keystore_keys WHERE id = ?)`,
        ).run(id, id);
        this.#statement("UPDATE keystore_keys SET updated_at = ? WHERE id = ?")
          .run(now, id);
        return Number(result.changes);
      })
    );
  }

  deleteKey(id: string): Promise<boolean> {
    return this.#run(() =>
      this.#transaction(() => {
        this.#statement("DELETE FROM keystore_versions WHERE key_id = ?")
          .run(id);
        const result = this.#statement(
          "DELETE FROM keystore_keys WHERE id = ?",
        )
          .run(id);
        return Number(result.changes) === 1;
      })
    );
  }

  rewrapAll(
    rewrap: (
      row: KeyRow,
    ) => { readonly wrappedDataKey: Uint8Array; readonly settingsMac: string },
    check: { readonly name: string; readonly value: string },
  ): Promise<number> {
    return this.#run(() =>
      this.#transaction(() => {
        const rows = this.#statement("SELECT * FROM keystore_keys").all()
          .map(keyRowFrom);
        const update = this.#statement(
          `UPDATE keystore_keys SET wrapped_data_key = ?, settings_mac = ?
           WHERE id = ?`,
        );
        for (const row of rows) {
          const next = rewrap(row);
          update.run(next.wrappedDataKey, next.settingsMac, row.id);
        }
        this.#statement(
          "INSERT OR REPLACE INTO keystore_meta (name, value) VALUES (?, ?)",
        ).run(check.name, check.value);
        return rows.length;
      })
    );
  }

  /**
   * Writes a consistent copy of the store to `path`, while it may be in use
   * (SQLite's online backup API: pages copied in steps, restarted when a
   * write lands in between).
   */
  async snapshot(path: string): Promise<void> {
    try {
      await backup(this.#db, path);
    } catch (error) {
      throw failed(error, `cannot write a snapshot to ${path}`);
    }
  }

  close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
    return Promise.resolve();
  }

  #insertVersion(id: string, version: VersionRow): void {
    this.#statement(
      `INSERT INTO keystore_versions (key_id, version, public_key,
         sealed_private, created_at) VALUES (?, ?, ?, ?, ?)`,
    ).run(
      id,
      version.version,
      version.publicKey,
      version.sealedPrivate,
      version.createdAt,
    );
  }

  /** A statement compiled once and kept: compiling is most of a lookup. */
  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #transaction<T>(body: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = body();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  #run<T>(body: () => T): Promise<T> {
    try {
      return Promise.resolve(body());
    } catch (error) {
      return Promise.reject(failed(error, "the keystore failed"));
    }
  }
}

/** A keystore error as it is, anything else as `StorageFailed`. */
function failed(error: unknown, what: string): Error {
  if (error instanceof KeystoreError) return error;
  const why = error instanceof Error ? error.message.split("\n")[0] : "";
  return new StorageFailed(`${what}: ${why}`);
}
