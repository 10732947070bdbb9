/**
 * The shared keystore backend: PostgreSQL, through `npm:postgres`
 * (porsager's driver: no dependencies, queries as tagged templates whose
 * values are always sent as parameters, transactions that roll back on any
 * throw, Unix sockets). Several service instances behind the broker share
 * one database: a version's number comes from its key's row, locked by the
 * `UPDATE` that raises it, and (key_id, version) is the primary key.
 *
 * @example
 * ```ts ignore
 * import { PostgresStorage } from "./postgres.ts";
 *
 * const storage = new PostgresStorage("postgres://keyservice@localhost/keys");
 * await storage.init();
 * await storage.close();
 * ```
 * @module
 */

import { Buffer } from "node:buffer";
import postgres from "postgres";
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
import { keyRowFrom, SCHEMA_POSTGRES, versionInfoFrom } from "./_schema.ts";

/** The URL without its password, for logs and the start-up line. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "postgres://(unparsable URL)";
  }
}

/** A keystore in a PostgreSQL database. */
export class PostgresStorage implements KeyStorage {
  readonly kind = "postgres";
  readonly location: string;
  readonly #sql: postgres.Sql;

  /**
   * Connects (lazily) to `url`, `postgres://user:password@host:port/db`;
   * `?host=/path` names a Unix socket's folder.
   */
  constructor(url: string, options: { readonly max?: number } = {}) {
    this.location = redactUrl(url);
    this.#sql = postgres(url, {
      max: options.max ?? 4,
      onnotice: () => {},
      // Bytes in, bytes out; no conversions of our text columns.
      transform: { undefined: null },
    });
  }

  init(): Promise<void> {
    return this.#run(async () => {
      await this.#sql.begin(async (sql) => {
        // One instance creates the tables; the others wait for it.
        await sql`SELECT pg_advisory_xact_lock(727274)`;
        await sql.unsafe(SCHEMA_POSTGRES);
      });
    });
  }

  getMeta(name: string): Promise<string | undefined> {
    return this.#run(async () => {
      const [row] = await this
        .#sql`SELECT value FROM keystore_meta WHERE name = ${name}`;
      return row?.value as string | undefined;
    });
  }

  setMetaIfAbsent(name: string, value: string): Promise<string> {
    return this.#run(async () => {
      await this.#sql`INSERT INTO keystore_meta (name, value)
        VALUES (${name}, ${value}) ON CONFLICT DO NOTHING`;
      const [row] = await this
        .#sql`SELECT value FROM keystore_meta WHERE name = ${name}`;
      return row.value as string;
    });
  }

  insertKey(key: KeyRow, first: VersionRow): Promise<void> {
    return this.#run(async () => {
      await this.#sql.begin(async (sql) => {
        const inserted = await sql`INSERT INTO keystore_keys (id, uid,
            key_type, padding, wrapped_data_key, latest_version,
            min_decryption_version, deletion_allowed, policy, settings_mac,
            created_at, updated_at)
          VALUES (${key.id}, ${key.uid}, ${key.type}, ${key.padding},
            ${bytes(key.wrappedDataKey)}, ${key.latestVersion},
            ${key.minDecryptionVersion}, ${key.deletionAllowed ? 1 : 0},
            ${key.policy}, ${key.settingsMac}, ${key.createdAt},
            ${key.updatedAt})
          ON CONFLICT (id) DO NOTHING RETURNING id`;
        if (inserted.length === 0) throw new KeyExists();
        await insertVersion(sql, key.id, first);
      });
    });
  }

  addVersion(
    id: string,
    maxVersions: number,
    seal: SealVersion,
    now: string,
  ): Promise<number> {
    return this.#run(() =>
      this.#sql.begin(async (sql) => {
        // The UPDATE locks the key's row first: a second rotation waits
        // here, and counts after this one commits.
        const [row] = await sql`UPDATE keystore_keys
          SET latest_version = latest_version + 1, updated_at = ${now}
          WHERE id = ${id} RETURNING latest_version`;
        if (row === undefined) throw new KeyNotFound();
        const [held] = await sql`SELECT count(*) AS n FROM keystore_versions
          WHERE key_id = ${id}`;
        if (Number(held.n) >= maxVersions) {
          throw new TooManyVersions(maxVersions);
        }
        const version = Number(row.latest_version);
        await insertVersion(sql, id, {
          version,
          createdAt: now,
          ...seal(version),
        });
        return version;
      }) as Promise<number>
    );
  }

  getKey(id: string): Promise<KeyRow | undefined> {
    return this.#run(async () => {
      const [row] = await this
        .#sql`SELECT * FROM keystore_keys WHERE id = ${id}`;
      return row === undefined ? undefined : keyRowFrom(row);
    });
  }

  listKeys(
    page: { readonly after?: string; readonly limit: number },
  ): Promise<KeyRow[]> {
    return this.#run(async () =>
      // Byte order, as SQLite's: pages follow one order whatever the
      // database's collation.
      (await this.#sql`SELECT * FROM keystore_keys
        WHERE id COLLATE "C" > ${page.after ?? ""}
        ORDER BY id COLLATE "C" LIMIT ${page.limit}`)
        .map(keyRowFrom)
    );
  }

  getVersions(id: string): Promise<VersionInfoRow[]> {
    return this.#run(async () =>
      (await this.#sql`SELECT version, public_key, created_at
        FROM keystore_versions WHERE key_id = ${id} ORDER BY version`)
        .map(versionInfoFrom)
    );
  }

  getVersion(id: string, version: number): Promise<VersionRow | undefined> {
    return this.#run(async () => {
      const [row] = await this.#sql`SELECT * FROM keystore_versions
        WHERE key_id = ${id} AND version = ${version}`;
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
      this.#sql.begin(async (sql) => {
        const [row] = await sql`SELECT * FROM keystore_keys WHERE id = ${id}
          FOR UPDATE`;
        if (row === undefined) return false;
        const next = change(keyRowFrom(row));
        await sql`UPDATE keystore_keys SET
            min_decryption_version = ${next.minDecryptionVersion},
            deletion_allowed = ${next.deletionAllowed ? 1 : 0},
            policy = ${next.policy}, settings_mac = ${next.settingsMac},
            updated_at = ${now}
          WHERE id = ${id}`;
        return true;
      }) as Promise<boolean>
    );
  }

  trim(id: string, now: string): Promise<number> {
    return this.#run(() =>
      this.#sql.begin(async (sql) => {
        const result = await sql`DELETE FROM keystore_versions
          WHERE key_id = ${id} AND version <
            (SELECT min_decryption_version FROM keystore_keys WHERE id = ${id})`;
        await sql`UPDATE keystore_keys SET updated_at = ${now}
          WHERE id = ${id}`;
        return result.count;
      }) as Promise<number>
    );
  }

  deleteKey(id: string): Promise<boolean> {
    return this.#run(() =>
      this.#sql.begin(async (sql) => {
        await sql`DELETE FROM keystore_versions WHERE key_id = ${id}`;
        const result = await sql`DELETE FROM keystore_keys WHERE id = ${id}`;
        return result.count === 1;
      }) as Promise<boolean>
    );
  }

  rewrapAll(
    rewrap: (
      row: KeyRow,
    ) => { readonly wrappedDataKey: Uint8Array; readonly settingsMac: string },
    check: { readonly name: string; readonly value: string },
  ): Promise<number> {
    return this.#run(() =>
      this.#sql.begin(async (sql) => {
        const rows = (await sql`SELECT * FROM keystore_keys FOR UPDATE`)
          .map(keyRowFrom);
        for (const row of rows) {
          const next = rewrap(row);
          await sql`UPDATE keystore_keys
            SET wrapped_data_key = ${bytes(next.wrappedDataKey)},
              settings_mac = ${next.settingsMac}
            WHERE id = ${row.id}`;
        }
        await sql`INSERT INTO keystore_meta (name, value)
          VALUES (${check.name}, ${check.value})
          ON CONFLICT (name) DO UPDATE SET value = excluded.value`;
        return rows.length;
      }) as Promise<number>
    );
  }

  async close(): Promise<void> {
    await this.#sql.end({ timeout: 5 });
  }

  async #run<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      if (error instanceof KeystoreError) throw error;
      const why = error instanceof Error ? error.message.split("\n")[0] : "";
      throw new StorageFailed(`the keystore ${this.location} failed: ${why}`);
    }
  }
}

/** Bytes as the driver sends them as `bytea`. */
function bytes(value: Uint8Array): Uint8Array {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function insertVersion(
  sql: postgres.TransactionSql,
  id: string,
  version: VersionRow,
) {
  return sql`INSERT INTO keystore_versions (key_id, version, public_key,
      sealed_private, created_at)
    VALUES (${id}, ${version.version}, ${version.publicKey},
      ${bytes(version.sealedPrivate)}, ${version.createdAt})`;
}
