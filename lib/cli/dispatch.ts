/**
 * Which subcommand a command line names (`keys new`, `wrap`, `unwrap`,
 * `ping`, `broker`), if any; without one, the command line configures the
 * service.
 *
 * @example
 * ```ts
 * import { findCommand } from "./dispatch.ts";
 *
 * const found = findCommand(["keys", "new", "--out", "keys/"]);
 * if (found) Deno.exit(await found.command.run(found.rest));
 * ```
 * @module
 */

import { BROKER_COMMAND } from "./broker_command.ts";
import { CLIENT_COMMANDS, type Command } from "./client_commands.ts";
import { KEYS_COMMANDS } from "./keys_commands.ts";
import { KEYSTORE_COMMANDS } from "./keystore_commands.ts";

/** Every subcommand that takes its own flags. */
export const COMMANDS: readonly Command[] = [
  ...CLIENT_COMMANDS,
  ...KEYS_COMMANDS,
  ...KEYSTORE_COMMANDS,
  BROKER_COMMAND,
];

/** The subcommand `args` starts with, and the arguments after its name. */
export function findCommand(
  args: readonly string[],
): { command: Command; rest: readonly string[] } | undefined {
  for (const command of COMMANDS) {
    const words = command.spec.name.split(" ");
    if (words.every((word, i) => args[i] === word)) {
      return { command, rest: args.slice(words.length) };
    }
  }
  return undefined;
}
