/**
 * The service's configuration from command-line flags and environment
 * variables (a flag wins over its variable), with `--help` and `--version`.
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

import { parseArgs } from "node:util";
import { LOG_LEVELS, type LogLevel } from "./log.ts";

/** Everything `main.ts` needs to start the service. */
export interface Config {
  /** Where the ROUTER socket binds. */
  readonly endpoint: string;
  /** An explicit libzmq file, or undefined to search. */
  readonly libzmq: string | undefined;
  /** Least severe level logged. */
  readonly logLevel: LogLevel;
  /** Seconds to answer in-flight requests after SIGINT or SIGTERM. */
  readonly drainSeconds: number;
  /** RSA key pairs kept ready; 0 generates each on demand. */
  readonly poolSize: number;
  /** Decryption workers. */
  readonly workers: number;
  /** Requests handled at once; past it, `overloaded`. */
  readonly maxInflight: number;
}

/** What the command line asks for. */
export type Parsed =
  | { readonly kind: "run"; readonly config: Config }
  | { readonly kind: "help"; readonly text: string }
  | { readonly kind: "version" };

/** The command line is wrong; `message` says how, on one line. */
export class ConfigError extends Error {
  readonly code = "config_error";
}

/** The environment variables the service reads, and no others. */
export const ENV_VARS = [
  "KEYSERVICE_ENDPOINT",
  "KEYSERVICE_LIBZMQ",
  "KEYSERVICE_LOG_LEVEL",
  "KEYSERVICE_DRAIN_SECONDS",
  "KEYSERVICE_POOL_SIZE",
  "KEYSERVICE_WORKERS",
  "KEYSERVICE_MAX_INFLIGHT",
] as const;

/** Cores of this machine, the default number of decryption workers. */
export const CORES: number = Math.max(1, navigator.hardwareConcurrency || 1);

/** Reads {@linkcode ENV_VARS} from the process environment. */
export function readEnv(): Record<string, string | undefined> {
  return Object.fromEntries(ENV_VARS.map((name) => [name, Deno.env.get(name)]));
}

/** The default endpoint: loopback, where seed clients' `localhost` lands. */
export const DEFAULT_ENDPOINT = "tcp://127.0.0.1:5555";

/** The `--help` text. */
export const HELP =
  `keyservice: RSA and Fernet keys for the Secure Messenger, over ZeroMQ.

Usage: keyservice [options]

Options (environment variable in brackets):
  --endpoint ADDR     ZeroMQ endpoint to bind [KEYSERVICE_ENDPOINT]
                      (default ${DEFAULT_ENDPOINT}; "tcp://127.0.0.1:*" picks a port)
  --libzmq PATH       libzmq file to load [KEYSERVICE_LIBZMQ]
                      (default: the one inside npm:zeromq, then the system's)
  --log-level LEVEL   ${
    LOG_LEVELS.join(", ")
  } [KEYSERVICE_LOG_LEVEL] (default info)
  --drain-seconds N   on SIGINT/SIGTERM, time to answer requests in flight
                      [KEYSERVICE_DRAIN_SECONDS] (default 10)
  --pool-size N       RSA key pairs generated ahead of demand, kept in memory
                      only; 0 generates each on demand [KEYSERVICE_POOL_SIZE]
                      (default 32)
  --workers N         decryption worker threads [KEYSERVICE_WORKERS]
                      (default: the number of cores, ${CORES})
  --max-inflight N    requests handled at once; past it a request is answered
                      "overloaded" at once [KEYSERVICE_MAX_INFLIGHT] (default 256)
  -h, --help          print this help and exit
  -V, --version       print the version and exit
`;

function pick(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  name: string,
): string | undefined {
  return flag ?? (env[name] === "" ? undefined : env[name]);
}

function number(text: string, what: string, min: number): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(value >= min)) {
    throw new ConfigError(
      `${what} must be a number of at least ${min}, got "${text}"`,
    );
  }
  return value;
}

function integer(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
  what: string,
): number {
  const text = pick(flag, env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > 1_000_000) {
    throw new ConfigError(
      `${what} must be a whole number from ${min} to 1000000, got "${text}"`,
    );
  }
  return value;
}

/** Reads flags and environment. Throws {@linkcode ConfigError}. */
export function parseConfig(
  args: readonly string[],
  env: Record<string, string | undefined>,
): Parsed {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        endpoint: { type: "string" },
        libzmq: { type: "string" },
        "log-level": { type: "string" },
        "drain-seconds": { type: "string" },
        "pool-size": { type: "string" },
        workers: { type: "string" },
        "max-inflight": { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
      },
    }));
  } catch (error) {
    // One line: some of node:util's messages run to three.
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError(message.split("\n")[0]);
  }
  if (values.help) return { kind: "help", text: HELP };
  if (values.version) return { kind: "version" };
  const logLevel = pick(values["log-level"], env, "KEYSERVICE_LOG_LEVEL") ??
    "info";
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(
      `--log-level must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`,
    );
  }
  const endpoint = pick(values.endpoint, env, "KEYSERVICE_ENDPOINT") ??
    DEFAULT_ENDPOINT;
  return {
    kind: "run",
    config: {
      endpoint,
      libzmq: pick(values.libzmq, env, "KEYSERVICE_LIBZMQ"),
      logLevel: logLevel as LogLevel,
      drainSeconds: number(
        pick(values["drain-seconds"], env, "KEYSERVICE_DRAIN_SECONDS") ?? "10",
        "--drain-seconds",
        0,
      ),
      poolSize: integer(
        values["pool-size"],
        env,
        "KEYSERVICE_POOL_SIZE",
        32,
        0,
        "--pool-size",
      ),
      workers: integer(
        values.workers,
        env,
        "KEYSERVICE_WORKERS",
        CORES,
        1,
        "--workers",
      ),
      maxInflight: integer(
        values["max-inflight"],
        env,
        "KEYSERVICE_MAX_INFLIGHT",
        256,
        1,
        "--max-inflight",
      ),
    },
  };
}
