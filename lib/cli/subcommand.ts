/**
 * The subcommands' flags (`keys new`, `wrap`, `unwrap`, `ping`, `broker`):
 * each declared once, in a {@linkcode CommandSpec}, from which both the
 * parsing and the subcommand's `--help` come. A flag may name the
 * environment variable read when it is absent (the client subcommands read
 * the service's `KEYSERVICE_ENDPOINT`, say); a flag given wins. Every flag
 * that takes a value takes it as `--flag VALUE` or `--flag=VALUE`, whatever
 * it begins with.
 *
 * @example
 * ```ts
 * import { type CommandSpec, parseCommand } from "./subcommand.ts";
 *
 * const spec: CommandSpec = {
 *   name: "ping",
 *   summary: "ask the service how it is",
 *   flags: [{ flag: "endpoint", arg: "ADDR", help: "where", multiple: true }],
 * };
 * const parsed = parseCommand(spec, ["--endpoint", "tcp://127.0.0.1:5555"]);
 * parsed.values.endpoint; // ["tcp://127.0.0.1:5555"]
 * ```
 * @module
 */

import { parseArgs } from "node:util";
import { joinValues } from "./_args.ts";

/** One flag of a subcommand. */
export interface FlagSpec {
  /** The long flag, without `--`. */
  readonly flag: string;
  /** What its value is called in `--help`; none for an on/off flag. */
  readonly arg?: string;
  /** One line of help. */
  readonly help: string;
  /** May be given more than once (the values keep their order). */
  readonly multiple?: boolean;
  /** Must be given. */
  readonly required?: boolean;
  /** The environment variable read when the flag is absent. */
  readonly env?: string;
}

/** A subcommand: its name, one line on what it does, and its flags. */
export interface CommandSpec {
  /** As typed: `keys new`, `wrap`. */
  readonly name: string;
  /** What it does, for `--help`. */
  readonly summary: string;
  /** Lines after the flags in `--help` (stdin, stdout, exit codes). */
  readonly notes?: readonly string[];
  readonly flags: readonly FlagSpec[];
}

/** The command line of a subcommand is wrong; exit code 2. */
export class UsageError extends Error {
  readonly code = "usage_error";
}

/** What a subcommand was given. */
export interface ParsedCommand {
  /** `--help` was given: print {@linkcode commandHelp} and stop. */
  readonly help: boolean;
  /** Each flag's value: a string, strings (`multiple`), or true. */
  readonly values: Readonly<
    Record<string, string | string[] | boolean | undefined>
  >;
}

/**
 * Reads `args` against `spec`, and `env` for the flags absent that name a
 * variable (an empty one counts as unset). Throws {@linkcode UsageError}.
 */
export function parseCommand(
  spec: CommandSpec,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): ParsedCommand {
  let values: Record<string, string | string[] | boolean | undefined>;
  const valued = new Set(
    spec.flags.filter((flag) => flag.arg !== undefined).map((f) => f.flag),
  );
  try {
    ({ values } = parseArgs({
      args: joinValues(args, valued),
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(spec.flags.map((flag) => [flag.flag, {
          type: flag.arg === undefined ? "boolean" : "string",
          multiple: flag.multiple === true,
        }])),
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.split("\n")[0]);
  }
  if (values.help) return { help: true, values };
  for (const flag of spec.flags) {
    const text = flag.env === undefined ? undefined : env[flag.env];
    if (values[flag.flag] === undefined && text) {
      values[flag.flag] = flag.multiple ? [text] : text;
    }
  }
  for (const flag of spec.flags) {
    if (flag.required && values[flag.flag] === undefined) {
      throw new UsageError(`${spec.name} needs --${flag.flag}`);
    }
  }
  return { help: false, values };
}

/** The `--help` text of a subcommand. */
export function commandHelp(spec: CommandSpec): string {
  const width = 30;
  const usage = spec.flags.filter((f) => f.required)
    .map((f) => `--${f.flag} ${f.arg}`).join(" ");
  return [
    `keyservice ${spec.name}: ${spec.summary}`,
    "",
    `Usage: keyservice ${spec.name}${usage ? ` ${usage}` : ""} [options]`,
    "",
    "Options:",
    ...spec.flags.map((f) => {
      const name = `  --${f.flag}${f.arg ? ` ${f.arg}` : ""}`;
      const text = f.help + (f.multiple ? " (may be repeated)" : "") +
        (f.env ? ` [env ${f.env}]` : "");
      return name.length < width - 1
        ? name.padEnd(width) + text
        : `${name}\n${" ".repeat(width)}${text}`;
    }),
    `${"  -h, --help".padEnd(width)}print this help and exit`,
    ...(spec.notes ? ["", ...spec.notes] : []),
    "",
  ].join("\n");
}

/** A flag's one value, or undefined (the last, if given several times). */
export function one(
  parsed: ParsedCommand,
  flag: string,
): string | undefined {
  const value = parsed.values[flag];
  if (Array.isArray(value)) return value.at(-1);
  return typeof value === "string" ? value : undefined;
}

/** A flag's value as a number within bounds. Throws {@linkcode UsageError}. */
export function number(
  parsed: ParsedCommand,
  flag: string,
  fallback: number,
  bounds: { min: number; max: number; integer?: boolean },
): number {
  const text = one(parsed, flag);
  if (text === undefined) return fallback;
  const value = Number(text);
  const pattern = bounds.integer ? /^\d+$/ : /^\d+(\.\d+)?$/;
  if (!pattern.test(text) || value < bounds.min || value > bounds.max) {
    throw new UsageError(
      `--${flag} must be a ${
        bounds.integer ? "whole number" : "number"
      } from ${bounds.min} to ${bounds.max}, got "${text}"`,
    );
  }
  return value;
}
