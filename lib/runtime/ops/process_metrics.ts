/**
 * The process metrics of Prometheus's standard process collector, with its
 * names, as far as Deno lets a process read them: CPU seconds (from
 * `node:process`'s `cpuUsage()`, which needs no permission), resident memory,
 * start time, and open and maximum file descriptors. Deno asks for
 * `--allow-all` to read `/proc/self/fd` and `/proc/self/limits`: neither
 * `--allow-read`, as `deno task start` grants, nor one scoped to those paths
 * (Deno 2.9.6: `NotCapable: Requires all access to "/proc/self/fd"`) is
 * enough. The two fd gauges are exported only where the process can read
 * them, never as a made-up value.
 *
 * Shared by the service's and the broker's metrics.
 *
 * @example
 * ```ts
 * import { Registry } from "prom-client";
 * import { registerProcessMetrics } from "./process_metrics.ts";
 *
 * const registry = new Registry();
 * await registerProcessMetrics([registry]);
 * console.log(await registry.metrics()); // # HELP process_cpu_seconds_total ...
 * ```
 * @module
 */

import type { Registry } from "prom-client";

/** `read()`, or undefined where the process may not read it. */
function readable<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

const openFds = () => [...Deno.readDirSync("/proc/self/fd")].length;
const maxFds = () => {
  const limits = Deno.readTextFileSync("/proc/self/limits");
  const soft = /^Max open files\s+(\d+)/m.exec(limits)?.[1];
  if (soft === undefined) throw new Error("no open-files limit");
  return Number(soft);
};

/** A gauge read at each scrape: its name, its help, and how to read it. */
export type ReadGauge = [name: string, help: string, read: () => number];

/** Registers `gauges` in `registers`, each read at each scrape. */
export async function registerGauges(
  registers: Registry[],
  gauges: readonly ReadGauge[],
): Promise<void> {
  const prom = await import("prom-client");
  for (const [name, help, read] of gauges) {
    new prom.Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  }
}

/** Registers the process metrics in `registers`. */
export async function registerProcessMetrics(
  registers: Registry[],
): Promise<void> {
  const prom = await import("prom-client");
  // Loaded here, not at the top: a service without --metrics never needs it.
  const { default: process } = await import("node:process");
  new prom.Counter({
    name: "process_cpu_seconds_total",
    help: "Total user and system CPU time spent in seconds",
    registers,
    collect() {
      const { user, system } = process.cpuUsage();
      this.reset();
      this.inc((user + system) / 1e6);
    },
  });
  const gauges: ReadGauge[] = [
    [
      "process_resident_memory_bytes",
      "Resident memory size in bytes",
      () => Deno.memoryUsage().rss,
    ],
  ];
  if (readable(openFds) !== undefined) {
    gauges.push([
      "process_open_fds",
      "Number of open file descriptors",
      openFds,
    ]);
  }
  if (readable(maxFds) !== undefined) {
    gauges.push([
      "process_max_fds",
      "Maximum number of open file descriptors",
      maxFds,
    ]);
  }
  await registerGauges(registers, gauges);
  new prom.Gauge({
    name: "process_start_time_seconds",
    help: "Start time of the process since the Unix epoch, in seconds",
    registers,
  }).set(Math.round((Date.now() - performance.now()) / 1000));
}
