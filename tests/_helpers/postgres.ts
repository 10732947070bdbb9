/**
 * Test helper: a throwaway PostgreSQL cluster. `initdb` into a temporary
 * folder, `postgres` listening on a Unix socket in that folder only (no TCP
 * port, so clusters of tests running at once never meet), stopped and
 * removed after. As root, the server runs as the `postgres` user (through `setpriv`) (PostgreSQL
 * refuses root). Gated like gate.ts: where PostgreSQL is missing the tests
 * are ignored and say why; under KEYSERVICE_REQUIRE_INTEROP=1 they fail.
 *
 * @example
 * ```ts
 * const cluster = await startPostgres();
 * try {
 *   // new PostgresStorage(cluster.url)
 * } finally {
 *   await cluster.stop();
 * }
 * ```
 * @module
 */

import { gate } from "./gate.ts";
import { waitFor } from "./wait.ts";

/** Folders PostgreSQL's programs are looked for in, newest first. */
const BIN_DIRS = [
  "/usr/lib/postgresql/17/bin",
  "/usr/lib/postgresql/16/bin",
  "/usr/lib/postgresql/15/bin",
];

function findBin(): string | undefined {
  for (const dir of BIN_DIRS) {
    try {
      Deno.statSync(`${dir}/initdb`);
      return dir;
    } catch {
      // try the next
    }
  }
  return undefined;
}

const BIN = findBin();
const AS_ROOT = Deno.uid() === 0;

/** The gate of the tests that need a PostgreSQL server. */
export const POSTGRES = gate(
  "PostgreSQL keystore tests",
  BIN === undefined
    ? {
      ok: false,
      reason:
        "no PostgreSQL server programs (Debian: apt-get install postgresql)",
    }
    : { ok: true, reason: BIN },
);

/** A running throwaway cluster. */
export interface PostgresCluster {
  /**
   * `postgres://postgres@localhost/postgres?host=<socket folder>`, or with
   * `tcp`, `postgres://postgres@127.0.0.1:<port>/postgres`.
   */
  readonly url: string;
  /** The folder holding the socket (and the cluster). */
  readonly dir: string;
  /** Stops the server and removes the folder. */
  stop(): Promise<void>;
}

/** Runs `program` of PostgreSQL's, as `postgres` when this is root. */
function command(program: string, args: string[]): Deno.Command {
  const path = `${BIN}/${program}`;
  return AS_ROOT
    // setpriv execs the program: its pid is the server's, and signals reach it.
    ? new Deno.Command("setpriv", {
      args: [
        "--reuid=postgres",
        "--regid=postgres",
        "--init-groups",
        path,
        ...args,
      ],
      stdout: "null",
      stderr: "piped",
    })
    : new Deno.Command(path, { args, stdout: "null", stderr: "piped" });
}

/** A TCP port free on loopback now (the kernel's pick). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Starts a cluster. With `tcp`, it also listens on a free loopback port,
 * and `url` names that (a service under `deno task start` may not write to
 * a socket outside its data folder, which connecting to a Unix socket
 * needs). Throws when PostgreSQL is missing or will not start.
 */
export async function startPostgres(
  options: { readonly tcp?: boolean } = {},
): Promise<PostgresCluster> {
  POSTGRES.assertRunnable();
  const dir = await Deno.makeTempDir({ prefix: "keyservice-pg-" });
  await Deno.chmod(dir, 0o755);
  if (AS_ROOT) {
    const chown = await new Deno.Command("chown", {
      args: ["postgres", dir],
    }).output();
    if (!chown.success) throw new Error(`cannot chown ${dir} to postgres`);
  }
  const init = await command("initdb", [
    "-D",
    `${dir}/data`,
    "-A",
    "trust",
    "-U",
    "postgres",
    "-E",
    "UTF8",
    "--no-sync",
  ]).output();
  if (!init.success) {
    await Deno.remove(dir, { recursive: true });
    throw new Error(`initdb failed: ${new TextDecoder().decode(init.stderr)}`);
  }
  const port = options.tcp ? freePort() : 5432;
  const server = command("postgres", [
    "-D",
    `${dir}/data`,
    "-k",
    dir,
    "-c",
    `listen_addresses=${options.tcp ? "127.0.0.1" : ""}`,
    "-p",
    String(port),
    "-c",
    "fsync=off",
  ]).spawn();
  let log = "";
  const pump = server.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (log += chunk) }),
  );
  const exited = server.status;
  let gone = false;
  exited.then(() => gone = true);
  try {
    await waitFor(() => {
      if (gone) throw new Error(`postgres exited:\n${log}`);
      return /ready to accept connections/.test(log) ? true : undefined;
    }, { timeoutMs: 60_000, what: "postgres to start", explain: () => log });
  } catch (error) {
    if (!gone) server.kill("SIGTERM");
    await exited;
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
  return {
    url: options.tcp
      ? `postgres://postgres@127.0.0.1:${port}/postgres`
      : `postgres://postgres@localhost/postgres?host=${
        encodeURIComponent(dir)
      }`,
    dir,
    async stop() {
      // SIGINT: PostgreSQL's fast shutdown (clients are disconnected).
      if (!gone) server.kill("SIGINT");
      await exited;
      await pump.catch(() => {});
      await Deno.remove(dir, { recursive: true });
    },
  };
}
