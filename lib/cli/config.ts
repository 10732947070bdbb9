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
  /** libzmq drops a connection that sends a larger frame (ZMQ_MAXMSGSIZE). */
  readonly maxFrameBytes: number;
  /** Largest request answered; larger ones get `request_too_large`. */
  readonly maxRequestBytes: number;
  /** Smallest RSA modulus accepted in requests, in bits. */
  readonly minKeyBits: number;
  /** CURVE secret key (Z85), given directly. */
  readonly curveSecretKey: string | undefined;
  /** A file holding the CURVE secret key. */
  readonly curveSecretKeyFile: string | undefined;
  /** A file listing the client public keys admitted. */
  readonly curveAllowFile: string | undefined;
  /** Bind off loopback without CURVE anyway. */
  readonly allowInsecureNetwork: boolean;
}

/** What the command line asks for. */
export type Parsed =
  | { readonly kind: "run"; readonly config: Config }
  | { readonly kind: "help"; readonly text: string }
  | { readonly kind: "version" }
  | { readonly kind: "curve-keypair"; readonly libzmq: string | undefined };

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
  "KEYSERVICE_MAX_FRAME_BYTES",
  "KEYSERVICE_MAX_REQUEST_BYTES",
  "KEYSERVICE_MIN_KEY_BITS",
  "KEYSERVICE_CURVE_SECRET_KEY",
  "KEYSERVICE_CURVE_SECRET_KEY_FILE",
  "KEYSERVICE_CURVE_ALLOW",
  "KEYSERVICE_ALLOW_INSECURE_NETWORK",
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
       keyservice curve-keypair     print a new CURVE key pair (Z85) and exit

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

Limits:
  --max-frame-bytes N    libzmq drops a connection sending a larger frame
                         [KEYSERVICE_MAX_FRAME_BYTES] (default 1048576)
  --max-request-bytes N  larger requests get an error reply
                         [KEYSERVICE_MAX_REQUEST_BYTES] (default 65536)
  --min-key-bits N       smallest RSA modulus accepted in requests
                         [KEYSERVICE_MIN_KEY_BITS] (default 2048)

Security (see SECURITY.md):
  --curve-secret-key Z85       turn on CurveZMQ with this server secret key
                               [KEYSERVICE_CURVE_SECRET_KEY]
  --curve-secret-key-file PATH the same, read from a file
                               [KEYSERVICE_CURVE_SECRET_KEY_FILE]
  --curve-allow PATH           admit only the client public keys listed
                               (one Z85 key a line) [KEYSERVICE_CURVE_ALLOW]
  --allow-insecure-network     bind off loopback without CURVE anyway
                               [KEYSERVICE_ALLOW_INSECURE_NETWORK=1]

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
  max = 1_000_000,
): number {
  const text = pick(flag, env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new ConfigError(
      `${what} must be a whole number from ${min} to ${max}, got "${text}"`,
    );
  }
  return value;
}

/**
 * Whether an endpoint stays on this machine: `tcp://` on a loopback address
 * (127.0.0.0/8, `localhost`, `[::1]`), or `ipc://` and `inproc://`.
 */
export function isLocalEndpoint(endpoint: string): boolean {
  if (/^(ipc|inproc):\/\//.test(endpoint)) return true;
  const match = /^tcp:\/\/(.+):[^:\]]+$/.exec(endpoint);
  if (match === null) return false;
  const host = match[1];
  return host === "localhost" || host === "[::1]" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Reads flags and environment. Throws {@linkcode ConfigError}. */
export function parseConfig(
  args: readonly string[],
  env: Record<string, string | undefined>,
): Parsed {
  if (args[0] === "curve-keypair") {
    const rest = parseConfig(args.slice(1), env);
    if (rest.kind !== "run") return rest;
    return { kind: "curve-keypair", libzmq: rest.config.libzmq };
  }
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
        "max-frame-bytes": { type: "string" },
        "max-request-bytes": { type: "string" },
        "min-key-bits": { type: "string" },
        "curve-secret-key": { type: "string" },
        "curve-secret-key-file": { type: "string" },
        "curve-allow": { type: "string" },
        "allow-insecure-network": { type: "boolean" },
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
  const curveSecretKey = pick(
    values["curve-secret-key"],
    env,
    "KEYSERVICE_CURVE_SECRET_KEY",
  );
  const curveSecretKeyFile = pick(
    values["curve-secret-key-file"],
    env,
    "KEYSERVICE_CURVE_SECRET_KEY_FILE",
  );
  const curveAllowFile = pick(
    values["curve-allow"],
    env,
    "KEYSERVICE_CURVE_ALLOW",
  );
  if (curveSecretKey !== undefined && curveSecretKeyFile !== undefined) {
    throw new ConfigError(
      "give --curve-secret-key or --curve-secret-key-file, not both",
    );
  }
  if (
    curveAllowFile !== undefined && curveSecretKey === undefined &&
    curveSecretKeyFile === undefined
  ) {
    throw new ConfigError(
      "--curve-allow needs CURVE: give --curve-secret-key-file too",
    );
  }
  const maxRequestBytes = integer(
    values["max-request-bytes"],
    env,
    "KEYSERVICE_MAX_REQUEST_BYTES",
    64 * 1024,
    1024,
    "--max-request-bytes",
    1024 ** 3,
  );
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
      maxFrameBytes: integer(
        values["max-frame-bytes"],
        env,
        "KEYSERVICE_MAX_FRAME_BYTES",
        1024 * 1024,
        1024,
        "--max-frame-bytes",
        1024 ** 3,
      ),
      maxRequestBytes,
      minKeyBits: integer(
        values["min-key-bits"],
        env,
        "KEYSERVICE_MIN_KEY_BITS",
        2048,
        512,
        "--min-key-bits",
        4096,
      ),
      curveSecretKey: pick(
        values["curve-secret-key"],
        env,
        "KEYSERVICE_CURVE_SECRET_KEY",
      ),
      curveSecretKeyFile: pick(
        values["curve-secret-key-file"],
        env,
        "KEYSERVICE_CURVE_SECRET_KEY_FILE",
      ),
      curveAllowFile: pick(
        values["curve-allow"],
        env,
        "KEYSERVICE_CURVE_ALLOW",
      ),
      allowInsecureNetwork: values["allow-insecure-network"] === true ||
        env.KEYSERVICE_ALLOW_INSECURE_NETWORK === "1",
    },
  };
}
