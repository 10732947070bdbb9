/**
 * `deno task compile`: builds `dist/keyservice`, one executable holding the
 * service and the libzmq it loads (npm:zeromq's, embedded with `--include`),
 * with only the permissions the service needs.
 *
 * `deno compile` needs its `denort` base binary: from Deno's download host,
 * from Deno's cache, or from the file `DENORT_BIN` names. Where none of
 * those is available the build fails, and this script says why.
 *
 * @example
 * ```sh
 * deno task compile            # writes dist/keyservice
 * DENORT_BIN=/path/to/denort deno task compile
 * ```
 * @module
 */

import { npmZeromqCandidates } from "../lib/zmq/libzmq.ts";
import { checkDenoVersion } from "./_pin.ts";

const ROOT = new URL("..", import.meta.url);

/** The `deno compile` arguments for an executable at `output`. */
export function compileArgs(output: string, libzmqFile: string): string[] {
  return [
    "compile",
    "--quiet",
    "--output",
    output,
    "--include",
    libzmqFile,
    // Worker code is not found by static analysis: it must be named.
    "--include",
    "lib/runtime/_request_thread.ts",
    // What the service needs, and nothing more: FFI for libzmq, its own
    // environment variables, reading the files it is pointed at (the
    // embedded libzmq, an explicit --libzmq), writing for `keys new` (the
    // key files it is asked for; the service itself writes none), and the
    // network for the --metrics listener (its address is known only at run
    // time).
    "--allow-ffi",
    // The service's variables and the client subcommands' (KEYSERVICE_CURVE_
    // SERVER_KEY...): all KEYSERVICE_*, no other.
    "--allow-env=KEYSERVICE_*,PG*",
    "--allow-read",
    "--allow-write",
    "--allow-net",
    "main.ts",
  ];
}

if (import.meta.main) {
  checkDenoVersion();
  // Embed the addon this platform loads; only that one is shipped.
  const libzmqFile = npmZeromqCandidates()[0];
  if (libzmqFile === undefined) {
    console.error("compile: npm:zeromq has no libzmq build for this platform");
    Deno.exit(1);
  }
  const output = Deno.args[0] ?? "dist/keyservice";
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: compileArgs(output, libzmqFile),
    cwd: ROOT,
  }).spawn().status;
  if (code !== 0) {
    console.error(
      `compile: deno compile failed (exit ${code}). It needs its denort base binary: ` +
        "reach Deno's download host, or set DENORT_BIN to a denort binary of Deno " +
        Deno.version.deno + ".",
    );
    Deno.exit(code);
  }
  console.error(`compile: wrote ${output}`);
}
