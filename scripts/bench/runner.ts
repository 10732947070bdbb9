/**
 * Runs scenarios of the registry, in its order, and collects what each
 * measured into one report object (scripts/bench/report.ts writes it out).
 * Starts the shared service when the first scenario needs it, a scenario's
 * own service around it, and stops every one of them, whatever happens; a
 * scenario that fails is recorded with its error and the run goes on.
 *
 * @example
 * ```ts ignore
 * import { runBench } from "./runner.ts";
 * import { SCENARIOS } from "./registry.ts";
 *
 * const report = await runBench(SCENARIOS.filter((s) => s.name === "floor"), options, "deno task bench --only floor");
 * ```
 * @module
 */

import { ReqClient } from "../../lib/zmq/client.ts";
import { type LoadedLibzmq, loadLibzmq } from "../../lib/zmq/libzmq.ts";
import {
  encryptPkcs1v15,
  exportKeyPair,
  generateRsaKeyPair,
  parsePublicKey,
} from "../../lib/crypto/mod.ts";
import { type LoadClients, runLoad } from "./load.ts";
import {
  clockTicks,
  cpuName,
  hasPyzmq,
  type Server,
  serviceHelp,
  startEcho,
  startService,
  startupSettings,
} from "./processes.ts";
import {
  type BenchOptions,
  type Context,
  type Fixture,
  type Scenario,
  type ScenarioResult,
  ScenarioSkipped,
} from "./scenario.ts";
import {
  evaluateTargets,
  type Target,
  type TargetResult,
  TARGETS,
} from "./targets.ts";

/** One scenario's record in the report. */
export interface ScenarioRecord extends Partial<ScenarioResult> {
  readonly description: string;
  /** The service it ran against, in words. */
  readonly service: string;
  /** Its wall time, in seconds. */
  readonly seconds: number;
  /** Why it did not run. */
  readonly skipped?: string;
  /** Why it stopped. */
  readonly error?: string;
}

/** The machine and the software a run measured. */
export interface Machine {
  readonly cores: number;
  readonly cpu: string;
  readonly os: string;
  /** 1, 5 and 15 minutes' load average when the run started. */
  readonly loadavg: readonly number[];
  readonly deno: string;
  readonly libzmq?: string;
  /** The shared service's start-up line. */
  readonly startup?: string;
  /** `pyzmq` or `deno` (scripts/bench/load.ts). */
  readonly loadClient: string;
}

/** Everything a run measured: the benchmark's JSON. */
export interface BenchReport {
  readonly version: 1;
  /** The command that made it. */
  readonly command: string;
  readonly mode: "full" | "quick";
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: Machine;
  readonly options: BenchOptions;
  readonly scenarios: Record<string, ScenarioRecord>;
  readonly targets: TargetResult[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function makeFixture(): Promise<Fixture> {
  const pair = await generateRsaKeyPair();
  const spki = (await exportKeyPair(pair, { format: "pkcs8" })).public;
  const fernet = new Uint8Array(32).fill(7).toBase64({ alphabet: "base64url" });
  const encrypted = encryptPkcs1v15(
    parsePublicKey(pair.public),
    encoder.encode(fernet),
  ).toBase64();
  return {
    pair,
    spki,
    fernet,
    encrypted,
    bodies: {
      ping: { type: "ping" },
      generate: { type: "generate_keys" },
      encrypt: { type: "encrypt_fernet", fernet, rsa_public: pair.public },
      decrypt: {
        type: "decrypt_fernet",
        encrypted_fernet: encrypted,
        rsa_private: pair.private,
      },
    },
  };
}

/**
 * Runs `scenarios` with `options`; resolves to the report, the targets of
 * `targets` judged on what was measured.
 */
export async function runBench(
  scenarios: readonly Scenario[],
  options: BenchOptions,
  command: string,
  targets: readonly Target[] = TARGETS,
): Promise<BenchReport> {
  const startedAt = new Date().toISOString();
  const loadavg = Deno.loadavg();
  const cores = navigator.hardwareConcurrency || 1;
  const log = (message: string) => console.error(`bench: ${message}`);
  const python = await hasPyzmq(options.python) ? options.python : undefined;
  const clients: LoadClients = {
    kind: python === undefined ? "deno" : "pyzmq",
    python,
    ticksPerSecond: await clockTicks(),
  };
  if (python === undefined) {
    log(
      `${options.python} has no pyzmq (apt-get install python3-zmq): the load clients and the floor's echo run on Deno's FFI`,
    );
  }
  let libzmq: LoadedLibzmq | undefined;
  const request = async (server: Server, body: unknown) => {
    libzmq ??= loadLibzmq();
    const client = ReqClient.connect(libzmq, { endpoint: server.endpoint });
    try {
      const [reply] = await client.request(
        encoder.encode(JSON.stringify(body)),
        120_000,
      );
      return JSON.parse(decoder.decode(reply)) as Record<string, unknown>;
    } finally {
      client.close();
    }
  };
  const waitForQuiet = async (server: Server) => {
    const deadline = performance.now() + 180_000;
    while (performance.now() < deadline) {
      const ping = await request(server, { type: "ping" });
      const pool = ping.pool as
        | { depth: number; size: number; generating: number }
        | undefined;
      if (
        pool === undefined || (pool.depth >= pool.size && pool.generating === 0)
      ) {
        return ping;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error("the service did not become quiet within 180 s");
  };
  const services: Server[] = [];
  const start = async (flags: readonly string[]) => {
    const server = await startService(flags);
    services.push(server);
    return server;
  };
  let help: Promise<string> | undefined;
  let shared: Server | undefined;
  const fixture = await makeFixture();
  const records: Record<string, ScenarioRecord> = {};
  try {
    for (const scenario of scenarios) {
      const t0 = performance.now();
      const need = scenario.service;
      const own = options.target === undefined;
      const serviceText = need.kind === "own"
        ? `its own: ${need.flags.join(" ") || "default flags"}`
        : need.kind === "shared"
        ? own ? "shared: --pool-size 32" : `--target ${options.target}`
        : need.kind === "self"
        ? "starts its own"
        : "none";
      const record = (fields: Partial<ScenarioRecord>) =>
        records[scenario.name] = {
          description: scenario.description,
          service: serviceText,
          seconds: (performance.now() - t0) / 1000,
          ...fields,
        };
      if (!own && (need.kind === "own" || need.kind === "self")) {
        record({
          skipped: "it needs a service of the bench's own (no --target)",
        });
        log(`${scenario.name}: skipped (--target)`);
        continue;
      }
      log(`${scenario.name}: ${scenario.description}`);
      let server: Server | undefined;
      try {
        if (need.kind === "shared") {
          shared ??= own ? await start(["--pool-size", "32"]) : {
            endpoint: options.target!,
            stop: () => Promise.resolve(),
          };
          server = shared;
        } else if (need.kind === "own") {
          server = await start(need.flags);
        }
        const ctx: Context = {
          options,
          cores,
          fixture,
          server,
          own,
          count: (n) => Math.max(5, Math.round(n * options.scale)),
          load: (s, name, spec) => runLoad(s, name, spec, clients),
          request,
          waitForQuiet,
          startService: start,
          async startEcho(which) {
            const pyzmq = which === "floor" && python !== undefined;
            const echo = await startEcho(pyzmq ? python : undefined);
            services.push(echo);
            return {
              server: echo,
              kind: pyzmq
                ? "pyzmq ROUTER echo"
                : `echo on the project's transport${
                  which === "floor" ? " (no pyzmq)" : ""
                }`,
            };
          },
          serviceHelp: () => help ??= serviceHelp(),
          log: (message) => log(`${scenario.name}: ${message}`),
        };
        record(await scenario.run(ctx));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof ScenarioSkipped) {
          log(`${scenario.name}: skipped (${message})`);
          record({ skipped: message });
        } else {
          log(`${scenario.name} failed: ${message}`);
          record({ error: message });
        }
      } finally {
        if (need.kind === "own") await server?.stop();
      }
    }
  } finally {
    await Promise.all(services.map((s) => s.stop()));
  }
  return {
    version: 1,
    command,
    mode: options.quick ? "quick" : "full",
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: {
      cores,
      cpu: cpuName(),
      os: `${Deno.build.os} ${Deno.osRelease()}`,
      loadavg,
      deno: Deno.version.deno,
      libzmq: libzmq?.version,
      startup: shared?.startup === undefined
        ? undefined
        : startupSettings(shared.startup),
      loadClient: clients.kind,
    },
    options,
    scenarios: records,
    targets: evaluateTargets(targets, records),
  };
}
