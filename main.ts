/**
 * keyservice: the command line (lib/cli) finds the command the arguments
 * name in its registry (lib/cli/registry.ts; none is `serve`) and runs it.
 * Serving runs in the server's runtime (lib/runtime), which throws what
 * stops it and never exits. Beneath lie lib/service (requests, pools,
 * decryption backends), lib/client, lib/zmq (the socket), lib/crypto and
 * lib/contract.
 *
 * @example
 * ```sh
 * deno task start --endpoint tcp://127.0.0.1:6000
 * ```
 * @module
 */

import { findCommand } from "./lib/cli/registry.ts";

/** Runs the command line `args`; resolves to the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const { command, rest } = findCommand(args);
  return await command.run(rest);
}

if (import.meta.main) Deno.exit(await main(Deno.args));
