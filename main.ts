/**
 * keyservice: reads the command line and hands it to the job it asks for.
 * Serving (the default) is wired in lib/cli/run_service.ts; the small jobs
 * (`--help`, `--version`, `curve-keypair`) in lib/cli/commands.ts; the
 * client subcommands and the broker behind lib/cli/dispatch.ts. Beneath
 * lib/cli lie lib/service (requests and pools), lib/zmq (the socket) and
 * lib/crypto.
 *
 * @example
 * ```sh
 * deno task start --endpoint tcp://127.0.0.1:6000
 * ```
 * @module
 */

import { fail, runSubcommand } from "./lib/cli/commands.ts";
import { ConfigError, parseConfig, readEnv } from "./lib/cli/config.ts";
import { findCommand } from "./lib/cli/dispatch.ts";
import { runService } from "./lib/cli/run_service.ts";

/** Runs the command line `args`; resolves to the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const named = findCommand(args);
  if (named !== undefined) return await named.command.run(named.rest);
  let parsed;
  try {
    parsed = parseConfig(args, readEnv());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return fail(`${error.message} (see --help)`, 2);
  }
  if (parsed.kind !== "run") return runSubcommand(parsed);
  return await runService(parsed.config);
}

if (import.meta.main) Deno.exit(await main(Deno.args));
