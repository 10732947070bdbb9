/**
 * `keyservice broker`: libzmq's `zmq_proxy` between a ROUTER for clients
 * (`--frontend`) and a DEALER for service instances started with
 * `--connect` (`--backend`), until SIGINT or SIGTERM. CURVE on either side
 * when configured, each side a CURVE server with a key of its own (as the
 * service itself is): the frontend for clients, the backend for instances,
 * each with an allow list (the service's `--curve-allow` format). Off
 * loopback, a side without CURVE is refused unless
 * `--allow-insecure-network`, and a frontend with CURVE but no allow list
 * unless `--allow-any-curve-client`; a backend that does not authenticate
 * its instances (CURVE with an allow list of their keys, or a private
 * `ipc://` folder) is refused unless `--insecure-backend`. The frontend
 * caps frames at the instances' default (`--max-frame-bytes`). It logs
 * each instance that joins or leaves the backend, and with `--metrics`
 * serves its own `/metrics` and `/healthz` (200 while an instance is
 * connected).
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

import {
  Broker,
  type BrokerOptions,
  type InstanceChange,
} from "../zmq/broker.ts";
import { curvePublicKey } from "../zmq/curve.ts";
import { type LoadedLibzmq, loadLibzmq } from "../zmq/libzmq.ts";
import type { Command } from "./client_commands.ts";
import { fail, print } from "./commands.ts";
import { readCurveSetup } from "../runtime/curve_setup.ts";
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
import {
  type BrokerMetrics,
  type BrokerSide,
  startBrokerMetrics,
} from "../runtime/ops/broker_metrics.ts";
import {
  type HttpListener,
  parseListenAddress,
  startHttp,
} from "../runtime/ops/http.ts";
import { VERSION } from "../runtime/version.ts";
import { onStopSignals } from "../runtime/signals.ts";
import {
  commandHelp,
  type CommandSpec,
  one,
  parseCommand,
  type ParsedCommand,
  UsageError,
} from "./flags.ts";

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
      flag: "backend-curve-secret-key-file",
      arg: "PATH",
      help:
        "CURVE for instances, with this secret key of the broker's own (`curve-keypair` output; instances give its public key as --broker-curve-server-key)",
    },
    {
      flag: "backend-curve-allow",
      arg: "PATH",
      help:
        "admit only the instance public keys listed, one a line (each instance's --curve-secret-key-file)",
    },
    {
      flag: "allow-insecure-network",
      help: "bind off loopback without CURVE anyway",
    },
    {
      flag: "allow-any-curve-client",
      help: "off loopback, CURVE without an allow list anyway",
    },
    {
      flag: "insecure-backend",
      help:
        "a backend that does not authenticate its instances (no CURVE allow list, no private ipc:// folder): any process that reaches it could join as an instance (development only)",
    },
    {
      flag: "max-frame-bytes",
      arg: "N",
      type: { kind: "integer", min: 1024, max: 1024 ** 3 },
      default: DEFAULT_MAX_FRAME_BYTES,
      defaultText: `${DEFAULT_MAX_FRAME_BYTES}, the instances' own default`,
      help:
        "libzmq drops a client connection that sends a larger frame; keep it at most the instances' --max-frame-bytes",
    },
    {
      flag: "metrics",
      arg: "ADDR",
      help:
        "serve the broker's Prometheus metrics (/metrics) and health (/healthz: 200 while an instance is connected) over HTTP on HOST:PORT, or on 127.0.0.1 for a bare PORT",
    },
    {
      flag: "log-level",
      arg: "LEVEL",
      type: { kind: "choice", choices: LOG_LEVELS },
      default: "info",
      help: `least severe log level written: ${LOG_LEVELS.join(", ")}`,
    },
    { flag: "libzmq", arg: "PATH", help: "libzmq file to load" },
  ],
  notes: [
    "The backend must authenticate its instances: CURVE with an allow list",
    "(--backend-curve-secret-key-file, and --backend-curve-allow listing the",
    "public key of each instance's --curve-secret-key-file; each instance",
    "runs with --connect and --broker-curve-server-key set to the",
    "backend_key this command logs), or an ipc:// socket in a folder only",
    "this user can open (mode 0700). Anything else is refused unless",
    "--insecure-backend. Taking one key off the list and restarting the",
    "broker revokes that instance alone.",
    "Requests in the broker or an instance when it stops are lost: a client",
    "that retries (the client library, `keyservice ping`) sends them again.",
  ],
};

/** What the broker reports to, beside its log: its metrics, once made. */
interface Reports {
  metrics?: BrokerMetrics;
}

function brokerOptions(
  libzmq: LoadedLibzmq,
  parsed: ParsedCommand,
  log: Logger,
  reports: Reports,
): BrokerOptions {
  const frontend = one(parsed, "frontend")!;
  const backend = one(parsed, "backend")!;
  return {
    frontend,
    backend,
    frontendCurve: curveSide(libzmq, parsed, "frontend", log, reports),
    backendCurve: curveSide(libzmq, parsed, "backend", log, reports),
    onInstance: (change) => instanceChanged(change, log, reports),
    maxFrameBytes: parsed.values["max-frame-bytes"] as number,
  };
}

/**
 * One side's CURVE server, as the service's own: its secret key, its allow
 * list (vetted in the ZAP handler, refusals logged and throttled), and its
 * failed handshakes logged; undefined when the side has no key.
 */
function curveSide(
  libzmq: LoadedLibzmq,
  parsed: ParsedCommand,
  side: BrokerSide,
  log: Logger,
  reports: Reports,
): BrokerOptions["frontendCurve"] {
  const secretFile = one(parsed, `${side}-curve-secret-key-file`);
  const allowFile = one(parsed, `${side}-curve-allow`);
  if (allowFile !== undefined && secretFile === undefined) {
    throw new UsageError(
      `--${side}-curve-allow needs --${side}-curve-secret-key-file`,
    );
  }
  const setup = readCurveSetup(
    libzmq,
    {
      curveSecretKey: undefined,
      curveSecretKeyFile: secretFile,
      curveAllowFile: allowFile,
    },
    log,
    (reason) => reports.metrics?.handshakeRefused(side, reason),
    { side },
  );
  return setup?.options;
}

/** Logs an instance that joined or left, and counts it. */
function instanceChanged(
  change: InstanceChange,
  log: Logger,
  reports: Reports,
): void {
  const fields: Record<string, LogValue> = {
    ...change.key !== undefined && { instance_key: change.key },
    ...change.address !== undefined && { address: change.address },
    instances: change.instances,
  };
  if (change.joined) {
    log.info("instance-joined", fields);
    reports.metrics?.instanceJoined();
  } else {
    log.info("instance-left", fields);
    reports.metrics?.instanceLeft();
  }
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
    allowList: options.backendCurve?.authorize !== undefined,
    insecureBackend: flag("insecure-backend"),
    allowInsecureNetwork: flag("allow-insecure-network"),
    allowAnyCurveClient: flag("allow-any-curve-client"),
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
    log = new Logger(one(parsed, "log-level") as LogLevel);
    const metrics = one(parsed, "metrics");
    if (metrics !== undefined) parseListenAddress(metrics);
  } catch (error) {
    return fail(`${firstLine(error)} (see --help)`, 2);
  }
  // Every request, private keys included, passes through the broker: the
  // same hardening as the service, before the first one can.
  hardenProcess(log);
  const reports: Reports = {};
  let http: HttpListener | undefined;
  try {
    const libzmq = loadLibzmq(one(parsed, "libzmq"));
    const options = brokerOptions(libzmq, parsed, log, reports);
    const refused = refusal(options, parsed);
    if (refused !== undefined) throw new Error(refused);
    const address = one(parsed, "metrics");
    if (address !== undefined) {
      reports.metrics = await startBrokerMetrics({
        version: VERSION,
        libzmq: libzmq.version,
        instances: () => broker?.instances ?? 0,
      });
    }
    broker = Broker.start(libzmq, options);
    if (address !== undefined) http = serveOps(address, broker, reports);
    listening = {
      frontend: broker.frontend,
      backend: broker.backend,
      libzmq: libzmq.path,
      frontend_curve: options.frontendCurve ? "on" : "off",
      max_frame_bytes: options.maxFrameBytes ?? -1,
      backend_curve: options.backendCurve
        ? options.backendCurve.authorize ? "on allow" : "on"
        : "off",
      // What instances give as --broker-curve-server-key.
      ...options.backendCurve && {
        backend_key: curvePublicKey(libzmq, options.backendCurve.secretKey),
      },
      metrics: http === undefined ? "off" : `http://${http.address}/metrics`,
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
  await http?.close();
  removeSignalListeners();
  log.info("stopped");
  return 0;
}

/** The broker's HTTP listener on `address`: its metrics and health. */
function serveOps(
  address: string,
  broker: Broker,
  reports: Reports,
): HttpListener {
  try {
    return startHttp(address, {
      metrics: reports.metrics!,
      serving: () => true,
      unready: () => broker.instances === 0 ? "no-instance" : undefined,
    });
  } catch (error) {
    throw new Error(`cannot serve metrics on ${address}: ${firstLine(error)}`);
  }
}

/** `keyservice broker`. */
export const BROKER_COMMAND: Command = { spec: SPEC, run: runBroker };
