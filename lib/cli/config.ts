/**
 * The service's configuration from command-line flags and environment
 * variables (a flag wins over its variable), with `--help` and `--version`:
 * `serve`'s flags, read by the one flag parser (flags.ts) from one table,
 * {@linkcode OPTIONS}, then checked as a whole (CURVE, --connect).
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

import {
  type CommandSpec,
  flagsHelp,
  parseCommand,
  UsageError,
} from "./flags.ts";
import { type Config, ENV_VARS, OPTIONS } from "./options.ts";

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

/** The service's command line is wrong; `message` says how, on one line. */
export class ConfigError extends UsageError {
  /** The error's code, readable without an instance. */
  static override readonly code: string = "config_error";
  /** The error's code. */
  override readonly code: string = ConfigError.code;
}

/** Reads {@linkcode ENV_VARS} from the process environment. */
export function readEnv(): Record<string, string | undefined> {
  return Object.fromEntries(ENV_VARS.map((name) => [name, Deno.env.get(name)]));
}

/** `serve`: its flags are the options of {@linkcode OPTIONS}. */
export const SERVE_SPEC: CommandSpec = {
  name: "serve",
  summary: "serves the contract (binds --endpoint, or --connect to a broker)",
  flags: OPTIONS,
  version: true,
};

/**
 * The server's options in `--help`, made from {@linkcode OPTIONS}; the
 * command list above them comes from the registry (registry.ts).
 */
export const HELP: string = flagsHelp(SERVE_SPEC);

/** Reads flags and environment. Throws {@linkcode ConfigError}. */
export function parseConfig(
  args: readonly string[],
  env: Record<string, string | undefined>,
): Parsed {
  let parsed;
  try {
    parsed = parseCommand(SERVE_SPEC, args, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new ConfigError(error.message);
  }
  if (parsed.help) return { kind: "help", text: HELP };
  if (parsed.version) return { kind: "version" };
  const config: Record<string, unknown> = {
    curveSecretKeyOnCommandLine: parsed.onCommandLine.has("curve-secret-key"),
  };
  for (const option of OPTIONS) config[option.key] = parsed.values[option.flag];
  if (parsed.given.has("connect") && parsed.given.has("endpoint")) {
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
  return checkBrokerCurve(config, hasKey);
}

/**
 * Connected to a broker, the instance is a CURVE client: its key pair is
 * `--curve-secret-key(-file)`, and the broker vets it (its
 * `--backend-curve-allow`), so the instance checks the broker's key and
 * vets no one itself.
 */
function checkBrokerCurve(config: Config, hasKey: boolean): Config {
  const brokerKey = config.brokerCurveServerKey !== undefined ||
    config.brokerCurveServerKeyFile !== undefined;
  if (
    config.brokerCurveServerKey !== undefined &&
    config.brokerCurveServerKeyFile !== undefined
  ) {
    throw new ConfigError(
      "give --broker-curve-server-key or --broker-curve-server-key-file, not both",
    );
  }
  if (config.connect === undefined) {
    if (!brokerKey) return config;
    throw new ConfigError("--broker-curve-server-key needs --connect");
  }
  if (config.curveAllowFile !== undefined) {
    throw new ConfigError(
      "--curve-allow does not apply with --connect: the broker vets its " +
        "instances (its --backend-curve-allow lists this instance's key)",
    );
  }
  if (hasKey && !brokerKey) {
    throw new ConfigError(
      "with --connect, CURVE needs the broker's backend public key: give " +
        "--broker-curve-server-key-file too",
    );
  }
  if (brokerKey && !hasKey) {
    throw new ConfigError(
      "--broker-curve-server-key needs the instance's own key pair: give " +
        "--curve-secret-key-file too",
    );
  }
  return config;
}
