/**
 * The start-up log line, `listening`, that says what the service is serving
 * and with what: endpoint, libzmq, pool, request threads, CURVE. Tests and operators
 * wait for it. Off loopback without CURVE, a warning follows it.
 *
 * @example
 * ```ts
 * import { announce } from "./announce.ts";
 * import type { Config } from "./config.ts";
 * import { Logger } from "./ops/log.ts";
 * import { loadLibzmq } from "../zmq/libzmq.ts";
 *
 * declare const config: Config; // validated by the command line
 * announce(new Logger("info"), {
 *   endpoint: "tcp://127.0.0.1:5555",
 *   libzmq: loadLibzmq(),
 *   crypto: "node",
 *   config,
 *   curve: undefined,
 * });
 * // 2026-11-27T12:00:00.000Z INFO listening endpoint=tcp://127.0.0.1:5555 libzmq=...
 * ```
 * @module
 */

import type { LoadedLibzmq } from "../zmq/libzmq.ts";
import type { CurveSetup } from "./curve_setup.ts";
import type { Logger } from "./ops/log.ts";
import { isLocalEndpoint } from "./network_policy.ts";
import type { Config } from "./config.ts";
import { VERSION } from "./version.ts";

/** What the start-up line reports. */
export interface Serving {
  /** The endpoint bound, with the port a `:*` bind picked, or connected. */
  readonly endpoint: string;
  /** The libzmq loaded. */
  readonly libzmq: LoadedLibzmq;
  /** What decrypts: `openssl-3.x.y` or `node`. */
  readonly crypto: string;
  /** The configuration in force. */
  readonly config: Config;
  /** CURVE, or undefined when off. */
  readonly curve: CurveSetup | undefined;
  /** Where metrics and health are served (HOST:PORT), or undefined: off. */
  readonly metrics?: string;
  /** The keystore (`sqlite:PATH`, `postgres:URL`), or `off`. */
  readonly keystore?: string;
}

/** Logs `listening`, and `insecure-network` when it applies. */
export function announce(log: Logger, serving: Serving): void {
  const { endpoint, libzmq, crypto, config, curve, metrics, keystore } =
    serving;
  // Connected to a broker, the line says `connect=` where it says
  // `endpoint=` when bound.
  log.info("listening", {
    [config.connect === undefined ? "endpoint" : "connect"]: endpoint,
    libzmq: libzmq.path,
    libzmq_source: libzmq.source,
    libzmq_version: libzmq.version,
    version: VERSION,
    pid: Deno.pid,
    crypto,
    pool_size: config.poolSize,
    threads: config.threads ?? config.workers,
    workers: config.threads ?? config.workers,
    max_inflight: config.maxInflight,
    keystore: keystore ?? "off",
    // Without CURVE no client has a key: one tenant, policies not applied.
    ...(keystore !== undefined && keystore !== "off"
      ? {
        // Behind a broker the CURVE peer is the broker: one tenant too.
        tenancy: curve === undefined || config.connect !== undefined
          ? "single"
          : "per-client-key",
      }
      : {}),
    curve: curve === undefined
      ? "off"
      : curve.allowed === undefined
      ? "on"
      : `on allow=${curve.allowed}`,
    // Connected, the key is the instance's own, for the broker's list.
    ...(curve
      ? { [curve.client ? "public_key" : "server_key"]: curve.publicKey }
      : {}),
    metrics: metrics === undefined ? "off" : `http://${metrics}/metrics`,
  });
  if (curve === undefined && !isLocalEndpoint(endpoint)) {
    log.warn("insecure-network", {
      endpoint,
      reason: "off loopback without CURVE (--allow-insecure-network)",
    });
  }
}
