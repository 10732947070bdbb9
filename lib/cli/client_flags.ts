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
 * import { parseCommand } from "./flags.ts";
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
  HandshakeRefused,
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
} from "./flags.ts";
import { fail } from "./commands.ts";
import { resolvePath } from "./paths.ts";
import { firstLine } from "../runtime/ops/log.ts";

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
    help: "time for one attempt (default 2 for ping, else 5)",
  },
  {
    flag: "retries",
    arg: "N",
    help:
      "attempts after the first, on a timeout or overloaded (default 0 for ping, else 1)",
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
  "3 no answer (timed out, no service reachable, or the server refused the",
  "handshake).",
];

/**
 * The command line's own defaults: a user waits seconds, not the library's
 * patient defaults (its retries suit a long-lived program), before hearing
 * that nothing answers. `ping` asks once, briefly.
 */
export const CLI_TIMEOUTS: Readonly<
  Record<"ping" | "other", { seconds: number; retries: number }>
> = {
  ping: { seconds: 2, retries: 0 },
  other: { seconds: 5, retries: 1 },
};

/** A ZeroMQ endpoint as the client can connect to it. */
const ENDPOINT =
  /^(tcp:\/\/(\[[0-9a-fA-F:.]+\]|[^\s:/\[\]]+):\d{1,5}|ipc:\/\/\S+|inproc:\/\/\S+)$/;

/**
 * Reads the file a flag names, against the caller's folder: a missing or
 * unreadable one names the flag and the path as typed.
 */
export function readFlagFile(parsed: ParsedCommand, flag: string): string {
  const path = one(parsed, flag)!;
  try {
    return Deno.readTextFileSync(resolvePath(path));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new FileError(`--${flag}: no such file: ${path}`);
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new FileError(`--${flag}: not allowed to read ${path}`);
    }
    if (error instanceof Deno.errors.IsADirectory) {
      throw new FileError(`--${flag}: ${path} is a folder, not a file`);
    }
    throw error;
  }
}

/** A file the user named cannot be read or written; exit code 1. */
export class FileError extends Error {
  /** The code of this class, readable without an instance. */
  static code = "file_error" as const;
}

/** A client configured by the flags. Throws on an unreadable key file. */
export function openClient(
  parsed: ParsedCommand,
  defaults: { seconds: number; retries: number } = CLI_TIMEOUTS.other,
): KeyServiceClient {
  const endpoints = parsed.values.endpoint as string[] | undefined;
  for (const endpoint of endpoints ?? []) {
    if (!ENDPOINT.test(endpoint)) {
      throw new UsageError(
        `--endpoint: "${endpoint}" is not an endpoint (tcp://HOST:PORT, ipc://PATH)`,
      );
    }
  }
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
    ? {
      serverKey,
      serverKeyFile: serverKeyFile === undefined
        ? undefined
        : resolvePath(serverKeyFile),
      keyPairFile: keyPairFile === undefined
        ? undefined
        : resolvePath(keyPairFile),
    }
    : undefined;
  return new KeyServiceClient({
    endpoints: endpoints ?? DEFAULT_CLIENT_ENDPOINT,
    timeoutMs: number(parsed, "timeout", defaults.seconds, {
      min: 0.01,
      max: 3600,
    }) * 1000,
    retries: number(parsed, "retries", defaults.retries, {
      min: 0,
      max: 100,
      integer: true,
    }),
    curve,
    libzmq: one(parsed, "libzmq"),
    allowInsecure: parsed.values["allow-insecure-network"] === true,
  });
}

/** The exit code for a command that failed with `error`. */
export function exitCodeFor(error: unknown): 1 | 2 | 3 {
  if (error instanceof UsageError) return 2;
  if (
    error instanceof TimeoutError || error instanceof UnreachableError ||
    error instanceof HandshakeRefused
  ) {
    return 3;
  }
  return 1;
}

/**
 * A refused handshake in the command line's words: what to check, by the
 * flags the user gave (`curve`: whether a server key was given).
 */
export function refusalMessage(
  error: HandshakeRefused,
  curve: boolean,
): string {
  const where = `(${error.endpoints.join(", ")})`;
  if (error.reason === "not_allowed") {
    return "the server refused the CURVE handshake: this client's key is not " +
      "on its allow list (give a listed pair with --curve-keypair-file; " +
      `without it a new pair is made) ${where}`;
  }
  return curve
    ? "the CURVE handshake failed: the server's key is not --curve-server-key " +
      `(or the server does not speak CURVE) ${where}`
    : "the handshake failed: the server speaks CURVE; give its key with " +
      `--curve-server-key ${where}`;
}

/**
 * Prints `error` as the one-line failure and returns its exit code; a usage
 * error points at `--help`, a refused handshake says what to check
 * (`parsed`: the command's flags, when parsed).
 */
export function usageFailure(error: unknown, parsed?: ParsedCommand): number {
  const code = exitCodeFor(error);
  if (error instanceof HandshakeRefused) {
    const curve = parsed !== undefined &&
      (one(parsed, "curve-server-key") ??
          one(parsed, "curve-server-key-file")) !==
        undefined;
    return fail(refusalMessage(error, curve), code);
  }
  return fail(code === 2 ? `${firstLine(error)} (see --help)` : error, code);
}
