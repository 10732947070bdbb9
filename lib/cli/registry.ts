/**
 * The registry of commands: every command the command line knows, each
 * declared once (a {@linkcode Command}: its spec, from which its flags and
 * `--help` come, and what runs it). The top-level `--help` lists them from
 * here, and a command group (`keys`) gets its help from its members. Adding
 * a command is one declaration and one line in {@linkcode COMMANDS}; a
 * member of a group is named `group member` (`keys new`).
 *
 * @example
 * ```ts
 * import { findCommand } from "./registry.ts";
 *
 * const found = findCommand(["keys", "new", "--out", "keys/"]);
 * Deno.exit(await found.command.run(found.rest));
 * ```
 * @module
 */

import { BROKER_COMMAND } from "./broker_command.ts";
import { CLIENT_COMMANDS, type Command } from "./client_commands.ts";
import { fail, print } from "./commands.ts";
import {
  ConfigError,
  HELP as SERVE_OPTIONS,
  parseConfig,
  readEnv,
  SERVE_SPEC,
} from "./config.ts";
import { CURVE_KEYPAIR_COMMAND } from "./curve_keypair.ts";
import { KEYS_COMMANDS } from "./keys_commands.ts";
import { KEYSTORE_COMMANDS } from "./keystore_commands.ts";
import { StartupError } from "../runtime/errors.ts";
import { runService } from "../runtime/run_service.ts";
import { VERSION } from "../runtime/version.ts";

/** `keyservice serve [options]`, the default when no command is named. */
export const SERVE_COMMAND: Command = {
  spec: SERVE_SPEC,
  async run(args) {
    let parsed;
    try {
      parsed = parseConfig(args, readEnv());
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return fail(`${error.message} (see --help)`, 2);
    }
    if (parsed.kind === "help") return printed(HELP);
    if (parsed.kind === "version") return printed(`keyservice ${VERSION}\n`);
    try {
      return await runService(parsed.config, {
        forceStop: () => Deno.exit(1),
      });
    } catch (error) {
      if (!(error instanceof StartupError)) throw error;
      return fail(error.message);
    }
  },
};

const HELP_COMMAND: Command = {
  spec: {
    name: "help",
    summary: "prints this help, or a command's: help COMMAND",
    flags: [],
  },
  run(args) {
    if (args.length === 0) return Promise.resolve(printed(HELP));
    return findCommand([...args, "--help"]).command.run(
      findCommand([...args, "--help"]).rest,
    );
  },
};

const VERSION_COMMAND: Command = {
  spec: { name: "version", summary: "prints the version", flags: [] },
  run: () => Promise.resolve(printed(`keyservice ${VERSION}\n`)),
};

/** Every command, in the order the top-level help lists them. */
export const COMMANDS: readonly Command[] = [
  SERVE_COMMAND,
  ...CLIENT_COMMANDS,
  ...KEYS_COMMANDS,
  ...KEYSTORE_COMMANDS,
  BROKER_COMMAND,
  CURVE_KEYPAIR_COMMAND,
  HELP_COMMAND,
  VERSION_COMMAND,
];

function printed(text: string): number {
  print(text);
  return 0;
}

/** The groups (`keys`): first words of commands named with two. */
function groups(): Map<string, Command[]> {
  const found = new Map<string, Command[]>();
  for (const command of COMMANDS) {
    const words = command.spec.name.split(" ");
    if (words.length < 2) continue;
    found.set(words[0], [...found.get(words[0]) ?? [], command]);
  }
  return found;
}

const WIDTH = 24;

function listing(commands: readonly Command[]): string[] {
  return commands.map((command) => {
    const name = `  ${command.spec.name}`;
    return name.length < WIDTH - 1
      ? name.padEnd(WIDTH) + command.spec.summary
      : `${name}\n${" ".repeat(WIDTH)}${command.spec.summary}`;
  });
}

/** A group's `--help`: its members, from the registry. */
export function groupHelp(group: string): string {
  return [
    `keyservice ${group}: ${group} commands`,
    "",
    `Usage: keyservice ${group} COMMAND [options]`,
    "",
    "Commands:",
    ...listing(groups().get(group) ?? []),
    "",
    `keyservice ${group} COMMAND --help prints a command's options.`,
    "",
  ].join("\n");
}

/** The top-level `--help`: the commands, then the server's options. */
export const HELP: string = [
  "keyservice: RSA and Fernet keys for the Secure Messenger, over ZeroMQ.",
  "",
  "Usage: keyservice [serve] [options]   serve (the default)",
  "       keyservice COMMAND [options]",
  "       keyservice COMMAND --help      a command's options",
  "",
  "Commands:",
  ...listing(COMMANDS),
  "",
  "Options of serve:",
  SERVE_OPTIONS,
].join("\n");

function groupCommand(group: string): Command {
  return {
    spec: { name: group, summary: `${group} commands`, flags: [] },
    run(args) {
      if (args.length === 1 && (args[0] === "--help" || args[0] === "-h")) {
        return Promise.resolve(printed(groupHelp(group)));
      }
      const what = args[0] === undefined
        ? `${group} needs a command`
        : `unknown command: ${group} ${args[0]}`;
      return Promise.resolve(
        fail(`${what} (see keyservice ${group} --help)`, 2),
      );
    },
  };
}

/**
 * The command `args` names, and the arguments after its name. A group's
 * name alone gives its help (or a usage error); no command name, or a flag
 * first, is `serve`.
 */
export function findCommand(
  args: readonly string[],
): { command: Command; rest: readonly string[] } {
  for (const command of COMMANDS) {
    const words = command.spec.name.split(" ");
    if (words.every((word, i) => args[i] === word)) {
      return { command, rest: args.slice(words.length) };
    }
  }
  if (args[0] !== undefined && groups().has(args[0])) {
    return { command: groupCommand(args[0]), rest: args.slice(1) };
  }
  return { command: SERVE_COMMAND, rest: args };
}
