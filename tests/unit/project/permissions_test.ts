// Issue 16, finding 12: the tasks freeze the lockfile, and the server's
// `start` task asks for what the service uses and no more: environment
// variables KEYSERVICE_* and libpq's PG* (npm:postgres reads them when it
// opens a PostgreSQL keystore) only, writing only to the embedded keystore's
// folder (`data`, docs/keystore.md), no subprocesses, no system
// information. `--allow-ffi` and `--allow-read` stay whole; SECURITY.md
// ("Permissions and FFI") says why. tests/e2e/permissions_test.ts starts
// the service through this very task.

import assert from "node:assert/strict";

const ROOT = new URL("../../..", import.meta.url);
const TASKS = JSON.parse(
  await Deno.readTextFile(new URL("deno.json", ROOT)),
).tasks as Record<string, string>;

/** A task's flags, up to its script. */
function flags(task: string): string[] {
  const words = TASKS[task].split(/\s+/);
  return words.slice(2, words.findIndex((w) => /\.ts$|\/$/.test(w)));
}

Deno.test("every task that runs Deno freezes the lockfile", () => {
  for (const [name, command] of Object.entries(TASKS)) {
    if (!/^deno (run|test)\b/.test(command)) continue;
    assert.ok(flags(name).includes("--frozen"), `${name}: ${command}`);
  }
});

Deno.test("the start task scopes the environment to KEYSERVICE_*, PG* and INIT_CWD, writes only data/, and does not run or read the system", () => {
  const start = flags("start");
  assert.ok(
    start.includes("--allow-env=KEYSERVICE_*,PG*,INIT_CWD"),
    start.join(" "),
  );
  for (
    const denied of [
      "--allow-env",
      "--allow-run",
      "--allow-sys",
      "--allow-all",
      "-A",
    ]
  ) {
    assert.ok(
      !start.some((flag) =>
        flag === denied ||
        (denied !== "--allow-env" && flag.startsWith(`${denied}=`))
      ),
      `start has ${denied}: ${start.join(" ")}`,
    );
  }
  // What it needs, exactly: the network for its sockets and metrics, FFI
  // for libzmq, libcrypto and libc, reading for node_modules and key files,
  // writing for the keystore's folder alone (no bare --allow-write).
  assert.deepEqual(
    start.filter((flag) => flag.startsWith("--allow")).sort(),
    [
      "--allow-env=KEYSERVICE_*,PG*,INIT_CWD",
      "--allow-ffi",
      "--allow-net",
      "--allow-read",
      "--allow-write=data",
    ],
  );
});

// INIT_CWD: where the user ran `deno task`, against which relative paths
// resolve (deno task itself runs in the project's folder).
Deno.test("the client subcommands' task reads KEYSERVICE_* and PG* variables and INIT_CWD only", () => {
  assert.ok(flags("cli").includes("--allow-env=KEYSERVICE_*,PG*,INIT_CWD"));
  assert.ok(!flags("cli").includes("--allow-env"));
});
