/**
 * The service's configuration from command-line flags and environment
 * variables (a flag wins over its variable), with `--help`, `--version` and
 * the `curve-keypair` subcommand. Options, their bounds and their help come
 * from one table, {@linkcode OPTIONS}.
 *
 * @example
 * ```ts
 * import { parseConfig } from "./config.ts";
 *
 * const parsed = parseConfig(["--endpoint", "tcp://127.0.0.1:6000"], {});
 * if (parsed.kind === "run") parsed.config.endpoint; // "tcp://127.0.0.1:6000"
 * ```
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { joinValues } from "./_args.ts";
import {
  type Config,
  ENV_VARS,
  OPTIONS,
  type OptionSpec,
  type OptionType,
} from "./options.ts";

export {
  type Config,
  CORES,
  DEFAULT_ENDPOINT,
  ENV_VARS,
  OPTIONS,
  type OptionSpec,
} from "./options.ts";

/** What the command line asks for. */
export type Parsed =
  | { readonly kind: "run"; readonly config: Config }
  | { readonly kind: "help"; readonly text: string }
  | { readonly kind: "version" };

/** The command line is wrong; `message` says how, on one line. */
export class ConfigError extends Error {
  readonly code = "config_error";
}

/** Reads {@linkcode ENV_VARS} from the process environment. */
export function readEnv(): Record<string, string | undefined> {
  return Object.fromEntries(ENV_VARS.map((name) => [name, Deno.env.get(name)]));
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

function helpEntry(option: OptionSpec): string {
  const name = `  --${option.flag}${option.arg ? ` ${option.arg}` : ""}`;
  const shown = option.defaultText ?? String(option.default);
  const text = `${option.help} [${option.env}] (default ${shown})`;
  const body = wrap(text, WIDTH - INDENT);
  const first = name.length < INDENT - 1
    ? [name.padEnd(INDENT) + body.shift()]
    : [name];
  return [...first, ...body.map((line) => " ".repeat(INDENT) + line)]
    .join("\n");
}

/**
 * The server's options in `--help`, made from {@linkcode OPTIONS}; the
 * command list above them comes from the registry (registry.ts).
 */
export const HELP: string = (() => {
  const sections = [...new Set(OPTIONS.map((option) => option.section))];
  return [
    "A flag wins over its environment variable, shown in brackets.",
    ...sections.flatMap((section) => [
      "",
      `${section}:`,
      ...OPTIONS.filter((option) => option.section === section).map(
        helpEntry,
      ),
    ]),
    "",
    `${"  -h, --help".padEnd(INDENT)}print this help and exit`,
    `${"  -V, --version".padEnd(INDENT)}print the version and exit`,
    "",
  ].join("\n");
})();

function fail(option: OptionSpec, text: string, why: string): never {
  throw new ConfigError(`--${option.flag} must be ${why}, got "${text}"`);
}

function read(option: OptionSpec, type: OptionType, text: string): unknown {
  switch (type.kind) {
    case "string":
      return text;
    case "choice":
      if (!type.choices.includes(text)) {
        fail(option, text, `one of ${type.choices.join(", ")}`);
      }
      return text;
    case "integer": {
      const value = Number(text);
      if (!/^\d+$/.test(text) || value < type.min || value > type.max) {
        fail(option, text, `a whole number from ${type.min} to ${type.max}`);
      }
      return value;
    }
    case "seconds": {
      const value = Number(text);
      if (!/^\d+(\.\d+)?$/.test(text) || !(value >= type.min)) {
        fail(option, text, `a number of at least ${type.min}`);
      }
      return value;
    }
    case "flag":
      return text === "1";
  }
}

const PARSE_OPTIONS: ParseArgsConfig["options"] = {
  ...Object.fromEntries(
    OPTIONS.map((option) => [
      option.flag,
      { type: option.type.kind === "flag" ? "boolean" : "string" },
    ]),
  ),
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
};

/** The flags that take a value: any value, `-`-led ones included. */
const VALUED: ReadonlySet<string> = new Set(
  OPTIONS.filter((option) => option.type.kind !== "flag").map((o) => o.flag),
);

/** Reads flags and environment. Throws {@linkcode ConfigError}. */
export function parseConfig(
  args: readonly string[],
  env: Record<string, string | undefined>,
): Parsed {
  let values: Record<
    string,
    string | boolean | (string | boolean)[] | undefined
  >;
  try {
    ({ values } = parseArgs({
      args: joinValues(args, VALUED),
      strict: true,
      allowPositionals: false,
      options: PARSE_OPTIONS,
    }));
  } catch (error) {
    // One line: some of node:util's messages run to three.
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError(message.split("\n")[0]);
  }
  if (values.help) return { kind: "help", text: HELP };
  if (values.version) return { kind: "version" };
  const config: Record<string, unknown> = {
    curveSecretKeyOnCommandLine: typeof values["curve-secret-key"] === "string",
  };
  const given = new Set<string>();
  for (const option of OPTIONS) {
    const flag = values[option.flag];
    // An empty variable counts as unset.
    const text = flag === true
      ? "1"
      : typeof flag === "string"
      ? flag
      : env[option.env] === ""
      ? undefined
      : env[option.env];
    if (text !== undefined) given.add(option.flag);
    config[option.key] = text === undefined
      ? option.default
      : read(option, option.type, text);
  }
  if (given.has("connect") && given.has("endpoint")) {
    // Connecting replaces binding: a service given both would leave one
    // of them unused, silently.
    throw new ConfigError("give --endpoint or --connect, not both");
  }
  return { kind: "run", config: checkCurve(config as unknown as Config) };
}

function checkCurve(config: Config): Config {
  const hasKey = config.curveSecretKey !== undefined ||
    config.curveSecretKeyFile !== undefined;
  if (
    config.curveSecretKey !== undefined &&
    config.curveSecretKeyFile !== undefined
  ) {
    throw new ConfigError(
      "give --curve-secret-key or --curve-secret-key-file, not both",
    );
  }
  if (config.curveAllowFile !== undefined && !hasKey) {
    throw new ConfigError(
      "--curve-allow needs CURVE: give --curve-secret-key-file too",
    );
  }
  return config;
}
