/**
 * The broker's Prometheus metrics (`keyservice broker --metrics`), named as
 * the service's with a `keyservice_broker_` prefix: the instances connected
 * to its backend (read at each scrape), their joins and leaves, the CURVE
 * handshakes each side refused, and the process metrics the service has.
 * The requests it relays are not counted: libzmq's proxy forwards them on
 * its own thread, and its STATISTICS command exists only in libzmq's draft
 * API (a libzmq without it stops the process on an unknown command).
 *
 * @example
 * ```ts
 * import { startBrokerMetrics } from "./broker_metrics.ts";
 *
 * const metrics = await startBrokerMetrics({
 *   version: "1.1.0",
 *   libzmq: "4.3.5",
 *   instances: () => 2,
 * });
 * metrics.instanceJoined();
 * metrics.handshakeRefused("backend", "not_allowed");
 * console.log(await metrics.render()); // # HELP keyservice_broker_build_info ...
 * ```
 * @module
 */

import type { Refusal } from "./metrics.ts";
import { registerGauges, registerProcessMetrics } from "./process_metrics.ts";

/** A side of the broker: clients' or instances'. */
export type BrokerSide = "frontend" | "backend";

/** What the broker's gauges read, and its build info. */
export interface BrokerMetricsSources {
  /** The broker's version. */
  readonly version: string;
  /** The libzmq version loaded. */
  readonly libzmq: string;
  /** Instances connected to the backend now. */
  instances(): number;
}

/** The broker's metrics: what it reports, and the text a scrape gets. */
export interface BrokerMetrics {
  /** The Content-Type of {@linkcode BrokerMetrics.render}'s text. */
  readonly contentType: string;
  /** All metrics in Prometheus's text format. */
  render(): Promise<string>;
  /** An instance joined the backend. */
  instanceJoined(): void;
  /** An instance left it. */
  instanceLeft(): void;
  /** A CURVE handshake refused on `side`. */
  handshakeRefused(side: BrokerSide, reason: Refusal): void;
}

/** Loads prom-client and makes the broker's metrics. */
export async function startBrokerMetrics(
  sources: BrokerMetricsSources,
): Promise<BrokerMetrics> {
  const prom = await import("prom-client");
  const registers = [new prom.Registry()];
  const [registry] = registers;
  const joins = new prom.Counter({
    name: "keyservice_broker_instance_joins_total",
    help: "Instances that joined the backend (their handshake done)",
    registers,
  });
  const leaves = new prom.Counter({
    name: "keyservice_broker_instance_leaves_total",
    help:
      "Instances that left the backend (connection closed, or no heartbeat)",
    registers,
  });
  const refused = new prom.Counter({
    name: "keyservice_broker_curve_handshakes_refused_total",
    help:
      "CURVE handshakes refused, by side (frontend: clients, backend: instances): a key not on the allow list, or a failed handshake",
    labelNames: ["side", "reason"] as const,
    registers,
  });
  // Every series from the start, at zero, so that rates work at once.
  for (const side of ["frontend", "backend"]) {
    for (const reason of ["not_allowed", "handshake_failed"]) {
      refused.inc({ side, reason }, 0);
    }
  }
  await registerGauges(registers, [
    [
      "keyservice_broker_instances_connected",
      "Service instances connected to the backend now",
      sources.instances,
    ],
    [
      "keyservice_broker_heap_used_bytes",
      "Bytes used on the main JavaScript heap",
      () => Deno.memoryUsage().heapUsed,
    ],
  ]);
  await registerProcessMetrics(registers);
  new prom.Gauge({
    name: "keyservice_broker_build_info",
    help: "Always 1; the labels say what runs: version, libzmq, Deno",
    labelNames: ["version", "libzmq", "deno"] as const,
    registers,
  }).set({
    version: sources.version,
    libzmq: sources.libzmq,
    deno: Deno.version.deno,
  }, 1);
  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    instanceJoined: () => joins.inc(),
    instanceLeft: () => leaves.inc(),
    handshakeRefused: (side, reason) => refused.inc({ side, reason }),
  };
}
