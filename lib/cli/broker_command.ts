/**
 * `keyservice broker`: libzmq's `zmq_proxy` between a ROUTER for clients
 * (`--frontend`) and a DEALER for service instances started with
 * `--connect` (`--backend`), until SIGINT or SIGTERM. CURVE on either side
 * when configured: the frontend as a CURVE server (as the service itself
 * is), the backend as a CURVE client of instances that share a server key.
 * Off loopback, a side without CURVE is refused unless
 * `--allow-insecure-network`.
 *
 * @example
 * ```ts
 * import { BROKER_COMMAND } from "./broker_command.ts";
 *
 * Deno.exit(await BROKER_COMMAND.run([
 *   "--frontend", "tcp://127.0.0.1:5555",
 *   "--backend", "tcp://127.0.0.1:5556",
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
import { readSecretKeyFile } from "./curve_setup.ts";
import { firstLine, LOG_LEVELS, Logger, type LogLevel } from "./log.ts";
import { insecureBindRefusal } from "./network_policy.ts";
import { onStopSignals } from "./signals.ts";
import {
  commandHelp,
  type CommandSpec,
  one,
  parseCommand,
  type ParsedCommand,
  UsageError,
} from "./subcommand.ts";

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
      flag: "log-level",
      arg: "LEVEL",
      help: "debug, info (the default), warn, error, silent",
    },
    { flag: "libzmq", arg: "PATH", help: "libzmq file to load" },
  ],
  notes: [
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
  };
}

/** Runs the broker until a stop signal; resolves to the exit code. */
async function runBroker(args: readonly string[]): Promise<number> {
  let parsed: ParsedCommand, log: Logger, broker: Broker;
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
  try {
    const libzmq = loadLibzmq(one(parsed, "libzmq"));
    const options = brokerOptions(libzmq, parsed, log);
    for (
      const [side, curve] of [["frontend", options.frontendCurve], [
        "backend",
        options.backendCurve,
      ]] as const
    ) {
      const refusal = insecureBindRefusal(options[side], {
        curve: curve !== undefined,
        allowInsecureNetwork: parsed.values["allow-insecure-network"] === true,
      });
      if (refusal !== undefined) throw new Error(refusal);
    }
    broker = Broker.start(libzmq, options);
    log.info("broker-listening", {
      frontend: broker.frontend,
      backend: broker.backend,
      libzmq: libzmq.path,
      frontend_curve: options.frontendCurve ? "on" : "off",
      backend_curve: options.backendCurve ? "on" : "off",
    });
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
  await broker.done;
  removeSignalListeners();
  log.info("stopped");
  return 0;
}

/** `keyservice broker`. */
export const BROKER_COMMAND: Command = { spec: SPEC, run: runBroker };
