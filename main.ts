/**
 * keyservice: reads the command line and hands it to the job it asks for.
 * The command line (lib/cli) reads it; serving (the default) runs in the
 * server's runtime (lib/runtime), which throws what stops it and never
 * exits. Beneath lie lib/service (requests, pools, decryption backends),
 * lib/client, lib/zmq (the socket), lib/crypto and lib/contract.
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
import { StartupError } from "./lib/runtime/errors.ts";
import { runService } from "./lib/runtime/run_service.ts";

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
  try {
    return await runService(parsed.config, { forceStop: () => Deno.exit(1) });
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    return fail(error.message);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
