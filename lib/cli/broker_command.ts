/**
 * `keyservice broker`: libzmq's `zmq_proxy` between a ROUTER for clients
 * (`--frontend`) and a DEALER for service instances started with
 * `--connect` (`--backend`), until SIGINT or SIGTERM. CURVE on either side
 * when configured: the frontend as a CURVE server (as the service itself
 * is), the backend as a CURVE client of instances that share a server key.
 * Off loopback, a side without CURVE is refused unless
 * `--allow-insecure-network`, and a frontend with CURVE but no allow list
 * unless `--allow-any-curve-client`; a backend that does not authenticate
 * its instances (CURVE, or a private `ipc://` folder) is refused unless
 * `--insecure-backend`. The frontend caps frames at the instances' default
 * (`--max-frame-bytes`).
 *
 * @example
 * ```ts
 * import { BROKER_COMMAND } from "./broker_command.ts";
 *
 * Deno.exit(await BROKER_COMMAND.run([
 *   "--frontend", "tcp://127.0.0.1:5555",
 *   "--backend", "ipc:///run/keyservice/backend", // a folder mode 0700
 * ]));
 * ```
 * @module
 */

import { curveClientKeys } from "../client/mod.ts";
import { Broker, type BrokerOptions } from "../zmq/broker.ts";
import { parseAllowList } from "../zmq/curve.ts";
import { type LoadedLibzmq, loadLibzmq } from "../zmq/libzmq.ts";
import type { Command } from "./client_commands.ts";
import { fail, print } from "./commands.ts";
import { readSecretKeyFile } from "../runtime/curve_setup.ts";
import {
  firstLine,
  LOG_LEVELS,
  Logger,
  type LogLevel,
  type LogValue,
} from "../runtime/ops/log.ts";
import { effectiveUid, hardenProcess } from "../runtime/harden.ts";
import {
  backendRefusal,
  insecureBindRefusal,
} from "../runtime/network_policy.ts";
import { OPTIONS } from "./options.ts";
import { onStopSignals } from "../runtime/signals.ts";
import {
  commandHelp,
  type CommandSpec,
  number,
  one,
  parseCommand,
  type ParsedCommand,
  UsageError,
} from "./subcommand.ts";

/** The request limits whose largest is an instance's default frame cap. */
const REQUEST_LIMITS: readonly string[] = [
  "maxRequestBytes",
  "maxManyRequestBytes",
  "maxAgeRequestBytes",
];

/**
 * The service's own default frame cap: the largest of its request limits
 * (as lib/cli/run_service.ts takes it).
 */
export const DEFAULT_MAX_FRAME_BYTES = Math.max(
  ...OPTIONS.filter((option) => REQUEST_LIMITS.includes(option.key)).map(
    (option) => Number(option.default),
  ),
);

const SPEC: CommandSpec = {
  name: "broker",
  summary:
    "relays clients' requests to service instances (keyservice --connect) and back",
  flags: [
    {
      flag: "frontend",
      arg: "ADDR",
      help: "where clients connect (ROUTER)",
      required: true,
    },
    {
      flag: "backend",
      arg: "ADDR",
      help: "where instances connect (DEALER)",
      required: true,
    },
    {
      flag: "frontend-curve-secret-key-file",
      arg: "PATH",
      help: "CURVE for clients, with this secret key (`curve-keypair` output)",
    },
    {
      flag: "frontend-curve-allow",
      arg: "PATH",
      help: "admit only the client public keys listed, one a line",
    },
    {
      flag: "backend-curve-server-key",
      arg: "Z85",
      help: "CURVE to the instances, whose (shared) public key this is",
    },
    {
      flag: "backend-curve-server-key-file",
      arg: "PATH",
      help: "the same, from a file (the key, or a `public` line)",
    },
    {
      flag: "backend-curve-keypair-file",
      arg: "PATH",
      help: "the broker's own pair on the backend (default: a new one)",
    },
    {
      flag: "allow-insecure-network",
      help: "bind off loopback without CURVE anyway",
    },
    {
      flag: "allow-any-curve-client",
      help: "off loopback, CURVE on the frontend without an allow list anyway",
    },
    {
      flag: "insecure-backend",
      help:
        "a backend without CURVE outside a private ipc:// folder: any local process could join it as an instance (development only)",
    },
    {
      flag: "max-frame-bytes",
      arg: "N",
      help:
        `libzmq drops a client connection that sends a larger frame (default ${DEFAULT_MAX_FRAME_BYTES}, the instances' own default); keep it at most the instances' --max-frame-bytes`,
    },
    {
      flag: "log-level",
      arg: "LEVEL",
      help: "debug, info (the default), warn, error, silent",
    },
    { flag: "libzmq", arg: "PATH", help: "libzmq file to load" },
  ],
  notes: [
    "The backend must authenticate its instances: CURVE (--backend-curve-",
    "server-key; instances run with the matching --curve-secret-key-file and",
    "list the broker's --backend-curve-keypair-file key in --curve-allow), or",
    "an ipc:// socket in a folder only this user can open (mode 0700).",
    "Anything else is refused unless --insecure-backend.",
    "Requests in the broker or an instance when it stops are lost: a client",
    "that retries (the client library, `keyservice ping`) sends them again.",
  ],
};

function brokerOptions(
  libzmq: LoadedLibzmq,
  parsed: ParsedCommand,
  log: Logger,
): BrokerOptions {
  const frontend = one(parsed, "frontend")!;
  const backend = one(parsed, "backend")!;
  const secretFile = one(parsed, "frontend-curve-secret-key-file");
  const allowFile = one(parsed, "frontend-curve-allow");
  if (allowFile !== undefined && secretFile === undefined) {
    throw new UsageError(
      "--frontend-curve-allow needs --frontend-curve-secret-key-file",
    );
  }
  const allow = allowFile === undefined
    ? undefined
    : parseAllowList(libzmq, Deno.readTextFileSync(allowFile));
  const serverKey = one(parsed, "backend-curve-server-key");
  const serverKeyFile = one(parsed, "backend-curve-server-key-file");
  const keyPairFile = one(parsed, "backend-curve-keypair-file");
  const backendCurve = serverKey !== undefined || serverKeyFile !== undefined
    ? curveClientKeys(libzmq, { serverKey, serverKeyFile, keyPairFile })
    : undefined;
  const refused = log.throttledWarn("auth-refused");
  return {
    frontend,
    backend,
    frontendCurve: secretFile === undefined ? undefined : {
      secretKey: readSecretKeyFile(secretFile, log),
      authorize: allow && ((key, address) => {
        if (!allow.has(key)) refused({ client_key: key, address });
        return allow.has(key);
      }),
    },
    backendCurve,
    maxFrameBytes: number(parsed, "max-frame-bytes", DEFAULT_MAX_FRAME_BYTES, {
      min: 1024,
      max: 1024 ** 3,
      integer: true,
    }),
  };
}

/** Why `options` may not start (the network policy, both sides), if so. */
function refusal(
  options: BrokerOptions,
  parsed: ParsedCommand,
): string | undefined {
  const flag = (name: string) => parsed.values[name] === true;
  return insecureBindRefusal(options.frontend, {
    curve: options.frontendCurve !== undefined,
    allowInsecureNetwork: flag("allow-insecure-network"),
    allowList: options.frontendCurve?.authorize !== undefined,
    allowAnyCurveClient: flag("allow-any-curve-client"),
  }) ?? backendRefusal(options.backend, {
    curve: options.backendCurve !== undefined,
    insecureBackend: flag("insecure-backend"),
    allowInsecureNetwork: flag("allow-insecure-network"),
    uid: effectiveUid() ?? -1,
  });
}

/** Runs the broker until a stop signal; resolves to the exit code. */
async function runBroker(args: readonly string[]): Promise<number> {
  let parsed: ParsedCommand, log: Logger, broker: Broker;
  let listening: Record<string, LogValue>;
  try {
    parsed = parseCommand(SPEC, args);
    if (parsed.help) {
      print(commandHelp(SPEC));
      return 0;
    }
    const level = one(parsed, "log-level") ?? "info";
    if (!LOG_LEVELS.includes(level as LogLevel)) {
      throw new UsageError(
        `--log-level must be one of ${LOG_LEVELS.join(", ")}`,
      );
    }
    log = new Logger(level as LogLevel);
  } catch (error) {
    return fail(`${firstLine(error)} (see --help)`, 2);
  }
  // Every request, private keys included, passes through the broker: the
  // same hardening as the service, before the first one can.
  hardenProcess(log);
  try {
    const libzmq = loadLibzmq(one(parsed, "libzmq"));
    const options = brokerOptions(libzmq, parsed, log);
    const refused = refusal(options, parsed);
    if (refused !== undefined) throw new Error(refused);
    broker = Broker.start(libzmq, options);
    listening = {
      frontend: broker.frontend,
      backend: broker.backend,
      libzmq: libzmq.path,
      frontend_curve: options.frontendCurve ? "on" : "off",
      max_frame_bytes: options.maxFrameBytes ?? -1,
      backend_curve: options.backendCurve ? "on" : "off",
      pid: Deno.pid,
    };
  } catch (error) {
    return fail(error, error instanceof UsageError ? 2 : 1);
  }
  const removeSignalListeners = onStopSignals({
    stop(signal) {
      log.info("stopping", { signal });
      broker.stop();
    },
    force(signal) {
      log.warn("stopping-now", { signal });
      Deno.exit(1);
    },
  });
  // Only now: whoever waits for this line may signal at once.
  log.info("broker-listening", listening);
  await broker.done;
  removeSignalListeners();
  log.info("stopped");
  return 0;
}

/** `keyservice broker`. */
export const BROKER_COMMAND: Command = { spec: SPEC, run: runBroker };
