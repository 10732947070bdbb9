/**
 * What a benchmark scenario is: a name, a description, the service it
 * needs, and a run function that returns named measurements. A new
 * scenario is one module in scripts/bench/scenarios/ and one line in
 * scripts/bench/registry.ts; its targets are rows of scripts/bench/targets.ts.
 *
 * @example
 * ```ts
 * import type { Scenario } from "./scenario.ts";
 *
 * export const ping: Scenario = {
 *   name: "ping_only",
 *   description: "ping, one client, 1000 requests",
 *   service: { kind: "shared" },
 *   async run(ctx) {
 *     const row = await ctx.load(ctx.server!, "ping", {
 *       clients: 1,
 *       bodies: [ctx.fixture.bodies.ping],
 *       requests: ctx.count(1000),
 *     });
 *     return { metrics: { p50_ms: row.p50 }, rows: [row] };
 *   },
 * };
 * ```
 * @module
 */

import type { RsaKeyPairPem } from "../../lib/crypto/mod.ts";
import type { LoadSpec } from "./load.ts";
import type { Server } from "./processes.ts";
import type { LoadRow } from "./stats.ts";
import type { RssRun } from "./chart.ts";

/** The service a scenario runs against. */
export type ServiceNeed =
  /** None: it measures in this process or runs other programs. */
  | { readonly kind: "none" }
  /** The run's shared service (`--pool-size 32`), or `--target`'s. */
  | { readonly kind: "shared" }
  /** One of its own, started with `flags` and stopped after it. */
  | { readonly kind: "own"; readonly flags: readonly string[] }
  /** It starts (and stops) the services it needs itself. */
  | { readonly kind: "self" };

/** One benchmark scenario. */
export interface Scenario {
  /** Its name, for `--only` and in the target table; `a_z0-9_`. */
  readonly name: string;
  /** One line: what it measures, against what. */
  readonly description: string;
  readonly service: ServiceNeed;
  /** Runs only when `--only` names it (long runs such as the soak). */
  readonly optIn?: boolean;
  run(ctx: Context): Promise<ScenarioResult>;
}

/** One point of the scaling curve. */
export interface ScalingPoint {
  /** Request threads (`--threads K`), or K for OpenSSL's `-multi K`. */
  readonly threads: number;
  /** Client processes that loaded the service. */
  readonly clients: number;
  readonly decryptPerSecond: number;
  /**
   * `decrypt_fernet` with one key on a service with `--prepared-keys 16`
   * (absent from reports made before it was measured).
   */
  readonly preparedPerSecond?: number;
  readonly encryptPerSecond: number;
  /** `openssl speed -multi K rsa2048`'s private-key operations a second. */
  readonly opensslPerSecond: number;
}

/** The scaling curve, and whether the service had `--threads`. */
export interface ScalingRun {
  readonly threadsFlag: boolean;
  readonly points: readonly ScalingPoint[];
}

/** What a scenario returns. */
export interface ScenarioResult {
  /**
   * Named measurements, their unit in the name (`_ms`, `_per_s`, `_mb`,
   * `_x` for a ratio); the target table reads them.
   */
  readonly metrics: Record<string, number>;
  /** Load runs, for the report's table and the latency chart. */
  readonly rows?: readonly LoadRow[];
  /** What the report should say beside the figures. */
  readonly notes?: readonly string[];
  /** A table of its own for the report (numbers shown as the report does). */
  readonly table?: {
    readonly columns: readonly string[];
    readonly rows: readonly (readonly (string | number)[])[];
  };
  /** RSS samples, for the RSS chart. */
  readonly rss?: RssRun;
  /** The scaling curve, for its chart. */
  readonly scaling?: ScalingRun;
}

/** The test keys and request bodies every scenario shares. */
export interface Fixture {
  readonly pair: RsaKeyPairPem;
  /** The pair's public key as SPKI PEM. */
  readonly spki: string;
  /** A Fernet key. */
  readonly fernet: string;
  /** `fernet` encrypted with RSAES-PKCS1-v1_5 under the pair, base64. */
  readonly encrypted: string;
  readonly bodies: {
    readonly ping: Record<string, unknown>;
    readonly generate: Record<string, unknown>;
    readonly encrypt: Record<string, unknown>;
    readonly decrypt: Record<string, unknown>;
  };
}

/** The benchmark's options, as parsed from the command line. */
export interface BenchOptions {
  /** Seconds of each timed load (the scaling points' and the like). */
  readonly seconds: number;
  /** Request counts are multiplied by this (`--quick`: 0.2). */
  readonly scale: number;
  readonly quick: boolean;
  readonly mixSeconds: number;
  readonly mixClients: number;
  readonly soakSeconds: number;
  /** Seconds of each `openssl speed` run. */
  readonly opensslSeconds: number;
  /** The most request threads the scaling scenario tries. */
  readonly maxThreads: number;
  /** An endpoint to measure instead of a service of our own. */
  readonly target?: string;
  /** The Python that runs the pyzmq client and echo. */
  readonly python: string;
}

/** What a scenario's run gets. */
export interface Context {
  readonly options: BenchOptions;
  /** The machine's cores. */
  readonly cores: number;
  readonly fixture: Fixture;
  /** Its service ("shared" or "own"); undefined for "none" and "self". */
  readonly server?: Server;
  /** Whether the service is ours (its pid known: CPU time, RSS). */
  readonly own: boolean;
  /** `n` requests scaled by `--quick`, at least 5. */
  count(n: number): number;
  /** Load from client processes (scripts/bench/load.ts). */
  load(server: Server, name: string, spec: LoadSpec): Promise<LoadRow>;
  /** One request, one reply (the parent's own REQ client). */
  request(server: Server, body: unknown): Promise<Record<string, unknown>>;
  /**
   * Waits until the service's pool is full and nothing is being generated;
   * resolves to that `ping` reply.
   */
  waitForQuiet(server: Server): Promise<Record<string, unknown>>;
  /** Starts a service of our own with `flags`. */
  startService(flags: readonly string[]): Promise<Server>;
  /**
   * Starts an echo server: the round-trip floor (pyzmq's echo, or the
   * transport's where pyzmq is missing), or the echo on the project's own
   * transport; `kind` says which it is.
   */
  startEcho(
    which: "floor" | "transport",
  ): Promise<{ server: Server; kind: string }>;
  /** The service's `--help` text. */
  serviceHelp(): Promise<string>;
  /** A progress line on stderr. */
  log(message: string): void;
}

/** Thrown by a scenario's run that cannot run here: recorded as skipped. */
export class ScenarioSkipped extends Error {}
