/**
 * The keystore's local administration, on the database itself (not over
 * the wire): `keystore backup` (a consistent snapshot of the embedded store,
 * safe while the service runs), `keystore restore` (with the service
 * stopped), `keystore rotate-master-key` (rewraps every data key under a new
 * master key; no key material is touched; restart the service with the new
 * file), and `audit verify FILE` (checks an audit log's hash chain).
 *
 * @example
 * ```ts
 * import { KEYSTORE_COMMANDS } from "./keystore_commands.ts";
 *
 * const verify = KEYSTORE_COMMANDS.find((c) => c.spec.name === "audit verify")!;
 * Deno.exit(await verify.run(["audit.log"]));
 * ```
 * @module
 */

import type { Command } from "./client_commands.ts";
import { fail, print } from "./commands.ts";
import { firstLine } from "../runtime/ops/log.ts";
import {
  commandHelp,
  type CommandSpec,
  one,
  parseCommand,
  type ParsedCommand,
  UsageError,
} from "./flags.ts";

const LOCATION_FLAGS = [
  {
    flag: "data-dir",
    arg: "PATH",
    help: "the service's --data-dir (default data)",
  },
  {
    flag: "keystore",
    arg: "WHERE",
    help: "the service's --keystore, when not the default",
  },
  {
    flag: "master-key-file",
    arg: "PATH",
    help: "the service's --master-key-file, when not the default",
  },
] as const;

/** A command run here, its failures one line each (usage: exit 2). */
function localCommand(
  spec: CommandSpec,
  body: (parsed: ParsedCommand) => Promise<number>,
): Command {
  return {
    spec,
    async run(args) {
      try {
        const parsed = parseCommand(spec, args);
        if (parsed.help) {
          print(commandHelp(spec));
          return 0;
        }
        return await body(parsed);
      } catch (error) {
        return error instanceof UsageError
          ? fail(`${error.message} (see --help)`, 2)
          : fail(firstLine(error));
      }
    },
  };
}

function location(parsed: ParsedCommand) {
  return {
    dataDir: one(parsed, "data-dir") ?? "data",
    keystore: one(parsed, "keystore"),
    masterKeyFile: one(parsed, "master-key-file"),
  };
}

async function sqliteFile(parsed: ParsedCommand): Promise<string> {
  const { isPostgresUrl, sqlitePath } = await import("../keystore/open.ts");
  const where = location(parsed);
  if (where.keystore !== undefined && isPostgresUrl(where.keystore)) {
    throw new UsageError(
      "a PostgreSQL keystore is backed up with PostgreSQL's own tools (pg_dump, or base backups with WAL archiving)",
    );
  }
  return sqlitePath(where);
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

const backup = localCommand({
  name: "keystore backup",
  summary:
    "writes a consistent snapshot of the embedded keystore, safe while the service runs",
  notes: [
    "The snapshot holds the keys sealed: it is no use without the master key,",
    "which it does not hold. Keep the two apart.",
  ],
  flags: [
    { flag: "out", arg: "PATH", help: "the snapshot to write", required: true },
    ...LOCATION_FLAGS,
  ],
}, async (parsed) => {
  const { SqliteStorage } = await import("../keystore/sqlite.ts");
  const file = await sqliteFile(parsed);
  if (!exists(file)) throw new Error(`no keystore at ${file}`);
  const out = one(parsed, "out")!;
  const storage = new SqliteStorage(file);
  try {
    await storage.snapshot(out);
  } finally {
    await storage.close();
  }
  Deno.chmodSync(out, 0o600);
  print(`wrote ${out}\n`);
  return 0;
});

const restore = localCommand({
  name: "keystore restore",
  summary:
    "replaces the embedded keystore with a snapshot; stop the service first",
  notes: ["The snapshot must open with the master key (checked first)."],
  flags: [
    { flag: "from", arg: "PATH", help: "the snapshot", required: true },
    { flag: "force", help: "replace a keystore that exists" },
    ...LOCATION_FLAGS,
  ],
}, async (parsed) => {
  const { openKeystore } = await import("../keystore/open.ts");
  const { SqliteStorage } = await import("../keystore/sqlite.ts");
  const file = await sqliteFile(parsed);
  const from = one(parsed, "from")!;
  if (exists(file) && parsed.values.force !== true) {
    throw new UsageError(`${file} exists: give --force to replace it`);
  }
  const where = location(parsed);
  const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : ".";
  // Checked against the master key before anything is replaced.
  const check = await openKeystore({
    ...where,
    keystore: from,
    masterKeyFile: where.masterKeyFile ?? `${dir}/master.key`,
  });
  await check.keystore.close();
  for (const suffix of ["", "-wal", "-shm"]) {
    if (exists(file + suffix)) Deno.removeSync(file + suffix);
  }
  const source = new SqliteStorage(from);
  try {
    await source.snapshot(file);
  } finally {
    await source.close();
  }
  print(`restored ${file} from ${from}\n`);
  return 0;
});

const rotateMasterKey = localCommand({
  name: "keystore rotate-master-key",
  summary:
    "seals every data key under a new master key (no key material is touched)",
  notes: [
    "The new key is made in --new-master-key-file (0600) unless that file",
    "exists. Restart the service with --master-key-file set to it.",
  ],
  flags: [
    {
      flag: "new-master-key-file",
      arg: "PATH",
      help: "where the new master key is (or is made)",
      required: true,
    },
    ...LOCATION_FLAGS,
  ],
}, async (parsed) => {
  const { openKeystore } = await import("../keystore/open.ts");
  const { createMasterKeyFile, readMasterKeyFile } = await import(
    "../keystore/sealing.ts"
  );
  const path = one(parsed, "new-master-key-file")!;
  const opened = await openKeystore(location(parsed));
  try {
    const next = createMasterKeyFile(path) ?? readMasterKeyFile(path);
    const count = await opened.keystore.rotateMasterKey(next);
    next.fill(0);
    print(
      `rewrapped ${count} data key(s); the master key is now ${path}: restart the service with --master-key-file ${path}\n`,
    );
  } finally {
    await opened.keystore.close();
  }
  return 0;
});

const verify: Command = {
  spec: {
    name: "audit verify",
    summary:
      "checks an audit log's hash chain: exit 0 when whole, 1 at the first broken line",
    notes: [
      "Usage: keyservice audit verify FILE [--expect-head [SEQ:]HASH]",
      "The log must also reach the head the service recorded in FILE.head",
      "(lines cut from its end are found) and, with --expect-head, a head",
      "kept elsewhere (as the last run printed it). Prints the log's head.",
    ],
    flags: [],
  },
  async run(args) {
    if (args.length === 1 && (args[0] === "--help" || args[0] === "-h")) {
      print(commandHelp(verify.spec));
      return 0;
    }
    const expected = args[1] === "--expect-head" && args.length === 3
      ? /^(?:(\d+):)?([0-9a-f]{64})$/.exec(args[2])
      : undefined;
    if (
      args.length === 0 || args[0].startsWith("-") ||
      (args.length > 1 && !expected)
    ) {
      return fail(
        "audit verify takes one FILE, and optionally --expect-head [SEQ:]HASH (64 hex digits) (see --help)",
        2,
      );
    }
    const { readAuditHead, verifyAuditLog } = await import(
      "../keystore/audit.ts"
    );
    let text: string;
    const heads = [];
    try {
      text = await Deno.readTextFile(args[0]);
      const recorded = readAuditHead(args[0]);
      if (recorded !== undefined) heads.push(recorded);
    } catch (error) {
      return fail(`cannot read ${args[0]}: ${firstLine(error)}`);
    }
    if (expected) {
      heads.push({
        seq: expected[1] === undefined ? undefined : Number(expected[1]),
        hash: expected[2],
      });
    }
    const verdict = verifyAuditLog(text, heads);
    if (verdict.ok) {
      print(
        `ok: ${verdict.lines} line(s), chain intact; head ${verdict.head.seq}:${verdict.head.hash}\n`,
      );
      return 0;
    }
    return fail(`line ${verdict.line}: ${verdict.reason}`);
  },
};

/** The keystore's local commands and `audit verify`. */
export const KEYSTORE_COMMANDS: readonly Command[] = [
  backup,
  restore,
  rotateMasterKey,
  verify,
];
