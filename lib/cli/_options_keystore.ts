// Private: the options of --help's "Keystore" section (contract v1.2: keys
// kept in the service), part of the one OPTIONS table in options.ts.

import type { OptionSpec } from "./options.ts";

const SECTION = "Keystore (see docs/keystore.md)";

/** The keystore options, in `--help` order. */
export const KEYSTORE_OPTIONS: readonly OptionSpec[] = [
  {
    key: "dataDir",
    flag: "data-dir",
    arg: "PATH",
    env: "KEYSERVICE_DATA_DIR",
    type: { kind: "string" },
    default: "data",
    defaultText: "data (in the working directory)",
    help: "folder of the embedded keystore, made (0700) on first start",
    section: SECTION,
  },
  {
    key: "keystore",
    flag: "keystore",
    arg: "WHERE",
    env: "KEYSERVICE_KEYSTORE",
    type: { kind: "string" },
    default: undefined,
    defaultText: "SQLite: keystore.db in --data-dir",
    help:
      'a SQLite file, a PostgreSQL URL (postgres://user@host/db, ?host=/dir for a Unix socket), or "off"',
    section: SECTION,
  },
  {
    key: "masterKeyFile",
    flag: "master-key-file",
    arg: "PATH",
    env: "KEYSERVICE_MASTER_KEY_FILE",
    type: { kind: "string" },
    default: undefined,
    defaultText: "SQLite: master.key beside the database, made on first start",
    help:
      "the master key: one line, 32 random bytes in base64; production keeps it apart from the database",
    section: SECTION,
  },
  {
    key: "keystoreMaxVersions",
    flag: "keystore-max-versions",
    arg: "N",
    env: "KEYSERVICE_KEYSTORE_MAX_VERSIONS",
    type: { kind: "integer", min: 1, max: 256 },
    default: 100,
    help:
      "versions a stored key may hold at once (show_key lists each); rotating past it is refused until older ones are trimmed",
    section: SECTION,
  },
  {
    key: "auditLog",
    flag: "audit-log",
    arg: "PATH",
    env: "KEYSERVICE_AUDIT_LOG",
    type: { kind: "string" },
    default: undefined,
    defaultText: "off",
    help:
      "append one hash-chained JSON line per keystore operation; if it cannot be written, keystore operations are refused",
    section: SECTION,
  },
];
