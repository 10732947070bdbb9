/**
 * The one flag parser of the command line: every command (`serve`, `broker`,
 * `keys new`, `wrap`, ...) declares its flags once, in a
 * {@linkcode CommandSpec}, from which come both the parsing and the
 * command's `--help`. A flag may name the environment variable read when it
 * is absent (a flag given wins; an empty variable counts as unset), a type
 * with bounds that its value is checked against, a default, and the `--help`
 * section it is listed in. Every flag that takes a value takes it as
 * `--flag VALUE` or `--flag=VALUE`, whatever it begins with.
 *
 * @example
 * ```ts
 * import { type CommandSpec, parseCommand } from "./flags.ts";
 *
 * const spec: CommandSpec = {
 *   name: "ping",
 *   summary: "ask the service how it is",
 *   flags: [
 *     { flag: "endpoint", arg: "ADDR", help: "where", multiple: true },
 *     {
 *       flag: "timeout",
 *       arg: "SECONDS",
 *       help: "how long",
 *       type: { kind: "seconds", min: 0 },
 *       default: 2,
 *     },
 *   ],
 * };
 * const parsed = parseCommand(spec, ["--endpoint", "tcp://127.0.0.1:5555"]);
 * parsed.values.endpoint; // ["tcp://127.0.0.1:5555"]
 * parsed.values.timeout; // 2
 * ```
 * @module
 */

import { parseArgs } from "node:util";

/** How a flag's value is read and checked. */
export type FlagType =
  | { readonly kind: "string" }
  | { readonly kind: "choice"; readonly choices: readonly string[] }
  | { readonly kind: "integer"; readonly min: number; readonly max: number }
  | { readonly kind: "seconds"; readonly min: number }
  | { readonly kind: "flag" };

/** One flag of a command. */
export interface FlagSpec {
  /** The long flag, without `--`. */
  readonly flag: string;
  /** What its value is called in `--help`; none for an on/off flag. */
  readonly arg?: string;
  /** One line of help, without the default. */
  readonly help: string;
  /** May be given more than once (the values keep their order). */
  readonly multiple?: boolean;
  /** Must be given. */
  readonly required?: boolean;
  /**
   * The environment variable read when the flag is absent. An on/off flag's
   * variable turns it on with `1`.
   */
  readonly env?: string;
  /**
   * Its type and bounds, checked when parsed.
   * @default {kind: "string"} with an `arg`, else {kind: "flag"}
   */
  readonly type?: FlagType;
  /** The value when neither flag nor variable is given. */
  readonly default?: string | number | boolean;
  /** How `--help` shows the default, when not the value itself. */
  readonly defaultText?: string;
  /**
   * The `--help` section it is listed in.
   * @default {"Options"}
   */
  readonly section?: string;
}

/** A command: its name, one line on what it does, and its flags. */
export interface CommandSpec {
  /** As typed: `keys new`, `wrap`. */
  readonly name: string;
  /** What it does, for `--help`. */
  readonly summary: string;
  /** Lines after the flags in `--help` (stdin, stdout, exit codes). */
  readonly notes?: readonly string[];
  readonly flags: readonly FlagSpec[];
  /** Takes `-V, --version` too. */
  readonly version?: boolean;
}

/** The command line is wrong; exit code 2. */
export class UsageError extends Error {
  /** The error's code, readable without an instance. */
  static readonly code: string = "usage_error";
  /** The error's code. */
  readonly code: string = UsageError.code;
}

/** A flag's value: text, texts (`multiple`), a number, or on/off. */
export type FlagValue = string | string[] | number | boolean | undefined;

/** What a command was given. */
export interface ParsedCommand {
  /** `--help` was given: print {@linkcode commandHelp} and stop. */
  readonly help: boolean;
  /** `--version` was given (a spec with `version` only). */
  readonly version: boolean;
  /**
   * Each flag's value (by its name, without `--`): read against its type,
   * else its default.
   */
  readonly values: Readonly<Record<string, FlagValue>>;
  /** The flags given on the command line or in their variable. */
  readonly given: ReadonlySet<string>;
  /** The flags given on the command line itself. */
  readonly onCommandLine: ReadonlySet<string>;
}

function typeOf(flag: FlagSpec): FlagType {
  return flag.type ?? { kind: flag.arg === undefined ? "flag" : "string" };
}

/**
 * `args` with each `--flag VALUE` of a flag in `valued` joined into
 * `--flag=VALUE`. node:util's parseArgs refuses a separate value that begins
 * with `-` ("ambiguous") in strict mode, and a Z85 CURVE key, a path or a
 * negative number may begin with one; joined, any value is taken as it is,
 * as getopt does. Stops at `--`; a valued flag with nothing after it stays
 * as it is, for parseArgs to report.
 */
function joinValues(
  args: readonly string[],
  valued: ReadonlySet<string>,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      out.push(...args.slice(i));
      break;
    }
    if (
      arg.startsWith("--") && !arg.includes("=") &&
      valued.has(arg.slice(2)) && i + 1 < args.length
    ) {
      out.push(`${arg}=${args[++i]}`);
    } else {
      out.push(arg);
    }
  }
  return out;
}

function fail(flag: string, text: string, why: string): never {
  throw new UsageError(`--${flag} must be ${why}, got "${text}"`);
}

/**
 * `text` read as a value of `type`, for `--flag`. Throws
 * {@linkcode UsageError} when it is not one.
 */
export function readValue(
  flag: string,
  type: FlagType,
  text: string,
): string | number | boolean {
  switch (type.kind) {
    case "string":
      return text;
    case "choice":
      if (!type.choices.includes(text)) {
        fail(flag, text, `one of ${type.choices.join(", ")}`);
      }
      return text;
    case "integer": {
      const value = Number(text);
      if (!/^\d+$/.test(text) || value < type.min || value > type.max) {
        fail(flag, text, `a whole number from ${type.min} to ${type.max}`);
      }
      return value;
    }
    case "seconds": {
      const value = Number(text);
      if (!/^\d+(\.\d+)?$/.test(text) || !(value >= type.min)) {
        fail(flag, text, `a number of at least ${type.min}`);
      }
      return value;
    }
    case "flag":
      return text === "1";
  }
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
  let raw: Record<string, string | boolean | (string | boolean)[] | undefined>;
  const valued = new Set(
    spec.flags.filter((flag) => typeOf(flag).kind !== "flag").map((f) =>
      f.flag
    ),
  );
  try {
    ({ values: raw } = parseArgs({
      args: joinValues(args, valued),
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(spec.flags.map((flag) => [flag.flag, {
          type: valued.has(flag.flag) ? "string" : "boolean",
          multiple: flag.multiple === true,
        }])),
        help: { type: "boolean", short: "h" },
        ...spec.version && { version: { type: "boolean", short: "V" } },
      },
    }));
  } catch (error) {
    // One line: some of node:util's messages run to three.
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.split("\n")[0]);
  }
  const help = raw.help === true;
  const version = raw.version === true;
  const onCommandLine = new Set(
    spec.flags.filter((f) => raw[f.flag] !== undefined).map((f) => f.flag),
  );
  if (help || version) {
    return {
      help,
      version,
      values: raw as Record<string, FlagValue>,
      given: onCommandLine,
      onCommandLine,
    };
  }
  const values: Record<string, FlagValue> = {};
  const given = new Set(onCommandLine);
  for (const flag of spec.flags) {
    const type = typeOf(flag);
    const value = raw[flag.flag];
    const variable = flag.env === undefined ? undefined : env[flag.env];
    if (value !== undefined) {
      values[flag.flag] = type.kind === "flag" || type.kind === "string" ||
          Array.isArray(value)
        ? value as FlagValue
        : readValue(flag.flag, type, String(value));
    } else if (variable) {
      given.add(flag.flag);
      const read = readValue(flag.flag, type, variable);
      values[flag.flag] = flag.multiple ? [String(read)] : read;
    } else {
      values[flag.flag] = flag.default;
    }
  }
  for (const flag of spec.flags) {
    if (flag.required && values[flag.flag] === undefined) {
      throw new UsageError(`${spec.name} needs --${flag.flag}`);
    }
  }
  return { help, version, values, given, onCommandLine };
}

const WIDTH = 79;
const INDENT = 30;

function wrap(words: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of words.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

function entry(name: string, text: string): string {
  const body = wrap(text, WIDTH - INDENT);
  const first = name.length < INDENT - 1
    ? [name.padEnd(INDENT) + body.shift()]
    : [name];
  return [...first, ...body.map((line) => " ".repeat(INDENT) + line)]
    .join("\n");
}

function flagEntry(flag: FlagSpec): string {
  const shown = flag.defaultText ??
    (flag.default === undefined ? undefined : String(flag.default));
  return entry(
    `  --${flag.flag}${flag.arg ? ` ${flag.arg}` : ""}`,
    flag.help + (flag.multiple ? " (may be repeated)" : "") +
      (flag.env ? ` [${flag.env}]` : "") +
      (shown === undefined ? "" : ` (default ${shown})`),
  );
}

/**
 * The flags of `spec` as `--help` lists them: by section, each with its
 * variable in brackets and its default, then `--help` (and `--version`).
 */
export function flagsHelp(spec: CommandSpec): string {
  const section = (flag: FlagSpec) => flag.section ?? "Options";
  const sections = [...new Set(spec.flags.map(section))];
  return [
    ...spec.flags.some((flag) => flag.env !== undefined)
      ? ["A flag wins over its environment variable, shown in brackets.", ""]
      : [],
    ...sections.flatMap((name) => [
      `${name}:`,
      ...spec.flags.filter((flag) => section(flag) === name).map(flagEntry),
      "",
    ]),
    entry("  -h, --help", "print this help and exit"),
    ...spec.version
      ? [entry("  -V, --version", "print the version and exit")]
      : [],
    "",
  ].join("\n");
}

/** The `--help` text of a command. */
export function commandHelp(spec: CommandSpec): string {
  const usage = spec.flags.filter((f) => f.required)
    .map((f) => `--${f.flag} ${f.arg}`).join(" ");
  return [
    `keyservice ${spec.name}: ${spec.summary}`,
    "",
    `Usage: keyservice ${spec.name}${usage ? ` ${usage}` : ""} [options]`,
    "",
    flagsHelp(spec),
    ...(spec.notes ? [...spec.notes, ""] : []),
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
    fail(
      flag,
      text,
      `a ${
        bounds.integer ? "whole number" : "number"
      } from ${bounds.min} to ${bounds.max}`,
    );
  }
  return value;
}
