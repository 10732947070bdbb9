/**
 * What every client subcommand (`keys new`, `wrap`, `unwrap`, `ping`)
 * shares: the flags that say where the service is and how to reach it (each
 * with the variable read in its absence: `KEYSERVICE_ENDPOINT` and so on), the
 * {@linkcode KeyServiceClient} made from them, and the exit code for each
 * way a command can end: 0 success, 1 the service answered with an error
 * (or a local file could not be used), 2 usage error, 3 no answer.
 *
 * @example
 * ```ts
 * import { CLIENT_FLAGS, exitCodeFor, openClient } from "./client_flags.ts";
 * import { parseCommand } from "./subcommand.ts";
 *
 * const parsed = parseCommand(
 *   { name: "ping", summary: "", flags: CLIENT_FLAGS },
 *   ["--endpoint", "tcp://127.0.0.1:5555", "--timeout", "2"],
 * );
 * const client = openClient(parsed);
 * try {
 *   await client.ping();
 * } catch (error) {
 *   Deno.exit(exitCodeFor(error));
 * } finally {
 *   client.close();
 * }
 * ```
 * @module
 */

import {
  DEFAULT_CLIENT_ENDPOINT,
  KeyServiceClient,
  TimeoutError,
  UnreachableError,
} from "../client/mod.ts";
import {
  type FlagSpec,
  number,
  one,
  type ParsedCommand,
  UsageError,
} from "./subcommand.ts";

/** The flags every client subcommand takes. */
export const CLIENT_FLAGS: readonly FlagSpec[] = [
  {
    flag: "endpoint",
    env: "KEYSERVICE_ENDPOINT",
    arg: "ADDR",
    help:
      `the service or broker (default ${DEFAULT_CLIENT_ENDPOINT}); several: tried in turn`,
    multiple: true,
  },
  {
    flag: "timeout",
    arg: "SECONDS",
    help: "time for one attempt (default 5)",
  },
  {
    flag: "retries",
    arg: "N",
    help: "attempts after the first, on a timeout or overloaded (default 3)",
  },
  {
    flag: "curve-server-key",
    env: "KEYSERVICE_CURVE_SERVER_KEY",
    arg: "Z85",
    help: "speak CURVE to a service with this public key",
  },
  {
    flag: "curve-server-key-file",
    env: "KEYSERVICE_CURVE_SERVER_KEY_FILE",
    arg: "PATH",
    help: "the same, from a file (the key, or a `public` line)",
  },
  {
    flag: "curve-keypair-file",
    env: "KEYSERVICE_CURVE_KEYPAIR_FILE",
    arg: "PATH",
    help:
      "this client's CURVE pair, as `keyservice curve-keypair` prints it (default: a new one)",
  },
  {
    flag: "allow-insecure-network",
    help: "speak without CURVE to an endpoint off this machine anyway",
  },
  {
    flag: "libzmq",
    arg: "PATH",
    env: "KEYSERVICE_LIBZMQ",
    help: "libzmq file to load",
  },
];

/** What speaking without CURVE risks, for each subcommand's `--help`. */
export const TRANSPORT_NOTES: readonly string[] = [
  "Without CURVE, an endpoint off this machine is refused (unless",
  "--allow-insecure-network), and on this machine the service is whoever",
  "holds the port: a local process that binds it first receives every",
  "request, private keys included, and its forged replies are believed.",
  "Where other users share the machine, give the server's CURVE key.",
];

/**
 * The variables the client flags read when absent: those of the
 * service's that apply to a client (`KEYSERVICE_ENDPOINT`,
 * `KEYSERVICE_LIBZMQ`), and the client's own CURVE settings. Read one by
 * one, so that a client run needs `--allow-env` for these only.
 */
export function clientEnv(
  flags: readonly FlagSpec[],
): Record<string, string | undefined> {
  return Object.fromEntries(
    flags.flatMap((f) =>
      f.env === undefined ? [] : [[f.env, Deno.env.get(f.env)]]
    ),
  );
}

/** The exit codes' meaning, for each subcommand's `--help`. */
export const EXIT_CODES: readonly string[] = [
  "Exit codes: 0 success; 1 the service answered with an error (its message",
  "on stderr), or a file could not be read or written; 2 usage error;",
  "3 no answer (timed out, or no service reachable).",
];

/** A client configured by the flags. Throws on an unreadable key file. */
export function openClient(parsed: ParsedCommand): KeyServiceClient {
  const endpoints = parsed.values.endpoint as string[] | undefined;
  const serverKey = one(parsed, "curve-server-key");
  const serverKeyFile = one(parsed, "curve-server-key-file");
  const keyPairFile = one(parsed, "curve-keypair-file");
  if (serverKey !== undefined && serverKeyFile !== undefined) {
    throw new UsageError(
      "give --curve-server-key or --curve-server-key-file, not both",
    );
  }
  if (keyPairFile !== undefined && !serverKey && !serverKeyFile) {
    throw new UsageError("--curve-keypair-file needs the server's key too");
  }
  const curve = serverKey !== undefined || serverKeyFile !== undefined
    ? { serverKey, serverKeyFile, keyPairFile }
    : undefined;
  return new KeyServiceClient({
    endpoints: endpoints ?? DEFAULT_CLIENT_ENDPOINT,
    timeoutMs: number(parsed, "timeout", 5, { min: 0.01, max: 3600 }) * 1000,
    retries: number(parsed, "retries", 3, { min: 0, max: 100, integer: true }),
    curve,
    libzmq: one(parsed, "libzmq"),
    allowInsecure: parsed.values["allow-insecure-network"] === true,
  });
}

/** The exit code for a command that failed with `error`. */
export function exitCodeFor(error: unknown): 1 | 2 | 3 {
  if (error instanceof UsageError) return 2;
  if (error instanceof TimeoutError || error instanceof UnreachableError) {
    return 3;
  }
  return 1;
}
