/**
 * The service's Prometheus metrics, kept with npm's `prom-client` in a
 * registry of their own. The lower layers know nothing of them: the serving
 * code tells an {@linkcode Instruments} what happened (a request answered, a
 * key made, a decryption, a refused handshake), and the gauges read the
 * service's own counters (in flight, the pool, memory) at each scrape.
 *
 * No label holds a value a client chose: the operation comes from
 * `REQUEST_TYPES` (or `invalid`), the code from `ERROR_CODES` (or `ok`), the
 * padding from `PADDINGS`, the key size from `KEY_BITS`; anything else is
 * counted as `other`. prom-client is imported only when metrics are on: a
 * service without `--metrics` does not load it (it costs memory).
 *
 * @example
 * ```ts
 * import { startMetrics } from "./metrics.ts";
 *
 * const metrics = await startMetrics({
 *   version: "1.1.0",
 *   libzmq: "4.3.5",
 *   crypto: "openssl-3.0.19",
 *   inflight: () => 0,
 *   pool: () => ({ depth: 32, size: 32, generating: 0 }),
 * });
 * metrics.request({ type: "ping", code: "ok" }, 0.4);
 * console.log(await metrics.render()); // # HELP keyservice_requests_total ...
 * ```
 * @module
 */

import type { Padding } from "../../contract/mod.ts";
import { ERROR_CODES, KEY_BITS, REQUEST_TYPES } from "../../contract/mod.ts";
import { KEYSTORE_REQUEST_TYPES } from "../../service/keystore_protocol.ts";
import { registerGauges, registerProcessMetrics } from "./process_metrics.ts";

/** Why a CURVE handshake was refused. */
export type Refusal = "not_allowed" | "handshake_failed";

/** What the serving code reports; each call is cheap and never throws. */
export interface Instruments {
  /** A request answered: its operation and code, and how long it took. */
  request(outcome: { type: string; code: string }, ms: number): void;
  /** A key pair made (for the pool or on demand), of `bits`, in `ms`. */
  keyGenerated(bits: number, ms: number): void;
  /** `count` private-key decryptions run (default 1), in `padding`. */
  decrypted(padding: Padding, count?: number): void;
  /** A CURVE handshake refused. */
  handshakeRefused(reason: Refusal): void;
}

/** Instruments that record nothing: metrics are off. */
export const NO_INSTRUMENTS: Instruments = {
  request() {},
  keyGenerated() {},
  decrypted() {},
  handshakeRefused() {},
};

/** What the gauges read, and what `keyservice_build_info` says. */
export interface MetricsSources {
  /** The service's version. */
  readonly version: string;
  /** The libzmq version loaded. */
  readonly libzmq: string;
  /** The decryption backend: `openssl-3.x.y` or `node`. */
  readonly crypto: string;
  /** Requests being handled now. */
  inflight(): number;
  /** Request threads running now, and at most (`--threads`). */
  threads?(): { running: number; max: number };
  /** The key pool now. */
  pool(): { depth: number; size: number; generating: number };
}

/** The metrics: instruments, and the text a scrape gets. */
export interface Metrics extends Instruments {
  /** The Content-Type of {@linkcode Metrics.render}'s text. */
  readonly contentType: string;
  /** All metrics in Prometheus's text format. */
  render(): Promise<string>;
}

/**
 * Request latency buckets, in seconds: from what a ping takes to what a
 * request behind a queue of key generations may (docs/benchmarks.md).
 */
const REQUEST_BUCKETS = [
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];
/**
 * Key generation buckets, in seconds: wide, since a key's generation time
 * varies with its size and with luck in the prime search
 * (docs/benchmarks.md has the times by size).
 */
const KEYGEN_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const OPERATIONS: ReadonlySet<string> = new Set([
  ...REQUEST_TYPES,
  ...KEYSTORE_REQUEST_TYPES,
]);
const CODES: ReadonlySet<string> = new Set(["ok", ...ERROR_CODES]);
const BITS: ReadonlySet<string> = new Set(KEY_BITS.map(String));

/** `value` when it is one of `known`, else `fallback`. */
function closed(
  value: string,
  known: ReadonlySet<string>,
  fallback: string,
): string {
  return known.has(value) ? value : fallback;
}

/**
 * Loads prom-client and makes the service's metrics, with gauges that read
 * `sources` at each scrape.
 */
export async function startMetrics(sources: MetricsSources): Promise<Metrics> {
  const prom = await import("prom-client");
  const registers = [new prom.Registry()];
  const [registry] = registers;

  const requests = new prom.Counter({
    name: "keyservice_requests_total",
    help: "Requests answered, by operation and outcome code (ok or the error)",
    labelNames: ["operation", "code"] as const,
    registers,
  });
  const latency = new prom.Histogram({
    name: "keyservice_request_duration_seconds",
    help: "Time from a request's arrival to its reply, by operation",
    labelNames: ["operation"] as const,
    buckets: REQUEST_BUCKETS,
    registers,
  });
  // Every operation is there from the start, at zero, so that rates work
  // from the first scrape.
  // An invalid request never succeeds: no `{operation="invalid",code="ok"}`.
  for (const operation of REQUEST_TYPES) {
    requests.inc({ operation, code: "ok" }, 0);
  }
  for (const operation of [...REQUEST_TYPES, "invalid"]) {
    latency.zero({ operation });
  }
  const keygen = new prom.Histogram({
    name: "keyservice_key_generation_duration_seconds",
    help: "Time to generate one RSA key pair, by modulus size",
    labelNames: ["bits"] as const,
    buckets: KEYGEN_BUCKETS,
    registers,
  });
  const decryptions = new prom.Counter({
    name: "keyservice_decryptions_total",
    help: "Private-key decryptions run, by backend and padding",
    labelNames: ["backend", "padding"] as const,
    registers,
  });
  const backend = sources.crypto.startsWith("openssl") ? "openssl" : "node";
  const refused = new prom.Counter({
    name: "keyservice_curve_handshakes_refused_total",
    help:
      "CURVE handshakes refused: a key not on the allow list, or a failed handshake",
    labelNames: ["reason"] as const,
    registers,
  });
  for (const reason of ["not_allowed", "handshake_failed"]) {
    refused.inc({ reason }, 0);
  }

  // Gauges read at each scrape: [name, help, read].
  const pool = sources.pool;
  const gauges: [string, string, () => number][] = [
    [
      "keyservice_requests_in_flight",
      "Requests being handled now",
      sources.inflight,
    ],
    [
      "keyservice_key_pool_depth",
      "RSA key pairs ready in the pool",
      () => pool().depth,
    ],
    [
      "keyservice_key_pool_size",
      "RSA key pairs the pool keeps ready when full (--pool-size)",
      () => pool().size,
    ],
    [
      "keyservice_key_generations_running",
      "RSA key pair generations under way (pool refill and on demand)",
      () => pool().generating,
    ],
    [
      "keyservice_request_threads",
      "Request threads running now: each parses, checks and runs the RSA operations of its requests",
      () => sources.threads?.().running ?? 1,
    ],
    [
      "keyservice_request_threads_max",
      "Request threads at most (--threads); idle ones beyond the first stop",
      () => sources.threads?.().max ?? 1,
    ],
    [
      "keyservice_heap_used_bytes",
      "Bytes used on the main JavaScript heap",
      () => Deno.memoryUsage().heapUsed,
    ],
  ];
  await registerGauges(registers, gauges);
  await registerProcessMetrics(registers);
  new prom.Gauge({
    name: "keyservice_build_info",
    help: "Always 1; the labels say what runs: version, libzmq, crypto, Deno",
    labelNames: ["version", "libzmq", "crypto", "deno"] as const,
    registers,
  }).set({
    version: sources.version,
    libzmq: sources.libzmq,
    crypto: sources.crypto,
    deno: Deno.version.deno,
  }, 1);

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    request(outcome, ms) {
      const operation = closed(outcome.type, OPERATIONS, "invalid");
      requests.inc({ operation, code: closed(outcome.code, CODES, "other") });
      latency.observe({ operation }, ms / 1000);
    },
    keyGenerated(bits, ms) {
      keygen.observe({ bits: closed(String(bits), BITS, "other") }, ms / 1000);
    },
    decrypted(padding, count = 1) {
      if (count > 0) decryptions.inc({ backend, padding }, count);
    },
    handshakeRefused(reason) {
      refused.inc({ reason });
    },
  };
}
