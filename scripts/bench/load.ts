/**
 * Load on a server from client processes: one REQ socket a process, so that
 * the clients are not the limit and their CPU time is apart from the
 * service's. The client is scripts/bench/load_client.py (pyzmq) where
 * Python has pyzmq, else scripts/bench/load_client.ts (Deno's FFI, the
 * project's own REQ client). Every client connects and warms up, then all
 * start at once; the row's time runs from that start to the last reply.
 *
 * @example
 * ```ts ignore
 * import { runLoad } from "./load.ts";
 *
 * const row = await runLoad(server, "ping", { clients: 4, bodies: [{ type: "ping" }], seconds: 3 }, clients);
 * console.log(row.throughput, row.p50, row.serviceCpuSeconds, row.clientCpuSeconds);
 * ```
 * @module
 */

import { cpuSeconds, type Server, threadCpuSeconds } from "./processes.ts";
import { type LoadRow, summarize } from "./stats.ts";

/** What a load sends, how many clients send it, and for how long. */
export interface LoadSpec {
  /** Client processes. */
  readonly clients: number;
  /** Request bodies; each request is one of them, at random. */
  readonly bodies: readonly unknown[];
  /** Requests in all, shared out over the clients; or use `seconds`. */
  readonly requests?: number;
  /** Seconds the load runs. */
  readonly seconds?: number;
  /** A pause after each reply, in milliseconds. @default 0 */
  readonly gapMs?: number;
  /** Requests each client sends before the start, not counted. @default 0 */
  readonly warmup?: number;
}

/** Which load client runs. */
export interface LoadClients {
  /** `pyzmq` (scripts/bench/load_client.py) or `deno` (load_client.ts). */
  readonly kind: "pyzmq" | "deno";
  /** The Python with pyzmq, for `pyzmq`. */
  readonly python?: string;
  /** Clock ticks a second of /proc/PID/stat. */
  readonly ticksPerSecond: number;
}

interface ClientResult {
  latencies_ms: number[];
  errors: number;
  timed_out: boolean;
  seconds: number;
  cpu_seconds: number;
}

/** Runs `spec` against `server`; resolves to its row. */
export async function runLoad(
  server: Server,
  name: string,
  spec: LoadSpec,
  clients: LoadClients,
): Promise<LoadRow> {
  const perClient = spec.requests === undefined
    ? undefined
    : Math.ceil(spec.requests / spec.clients);
  const line = JSON.stringify({
    endpoint: server.endpoint,
    bodies: spec.bodies.map((body) => JSON.stringify(body)),
    requests: perClient,
    seconds: spec.seconds,
    gap_ms: spec.gapMs ?? 0,
    warmup: spec.warmup ?? 0,
    timeout_ms: 120_000,
  }) + "\n";
  const children = Array.from(
    { length: spec.clients },
    () => spawnClient(clients),
  );
  try {
    await Promise.all(children.map(async (child) => {
      await child.write(line);
      const ready = await child.readLine();
      if (ready !== "ready") {
        throw new Error(`load client did not get ready: ${ready ?? "EOF"}`);
      }
    }));
    const cpu0 = await cpuSeconds(server.pid, clients.ticksPerSecond);
    const threads0 = await threadCpuSeconds(server.pid, clients.ticksPerSecond);
    const t0 = performance.now();
    const results = await Promise.all(children.map(async (child) => {
      await child.write("go\n");
      const result = await child.readLine();
      if (result === undefined) throw new Error("load client exited early");
      return JSON.parse(result) as ClientResult;
    }));
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = await cpuSeconds(server.pid, clients.ticksPerSecond);
    const threads1 = await threadCpuSeconds(server.pid, clients.ticksPerSecond);
    const byThread = Object.fromEntries(
      Object.entries(threads1).map((
        [kind, seconds],
      ) => [kind, seconds - (threads0[kind] ?? 0)]),
    );
    const latencies = results.flatMap((r) => r.latencies_ms);
    const errors = results.reduce((sum, r) => sum + r.errors, 0);
    const timedOut = results.filter((r) => r.timed_out).length;
    const row = summarize(name, spec.clients, latencies, errors, seconds, {
      serviceCpuSeconds: cpu1 - cpu0,
      ...(Object.keys(byThread).length > 0
        ? { serviceThreadCpuSeconds: byThread }
        : {}),
      clientCpuSeconds: results.reduce((sum, r) => sum + r.cpu_seconds, 0),
      client: clients.kind,
    });
    if (timedOut > 0) row.note = `${timedOut} client(s) timed out`;
    return row;
  } finally {
    await Promise.all(children.map((child) => child.close()));
  }
}

interface ClientProcess {
  write(text: string): Promise<void>;
  readLine(): Promise<string | undefined>;
  close(): Promise<void>;
}

function spawnClient(clients: LoadClients): ClientProcess {
  const [command, args] = clients.kind === "pyzmq"
    ? [clients.python!, [
      new URL("./load_client.py", import.meta.url).pathname,
    ]]
    : [Deno.execPath(), [
      "run",
      "--allow-env",
      "--allow-read",
      "--allow-ffi",
      new URL("./load_client.ts", import.meta.url).pathname,
    ]];
  const child = new Deno.Command(command, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.pipeThrough(new TextDecoderStream())
    .getReader();
  const encoder = new TextEncoder();
  let buffered = "";
  return {
    async write(text) {
      await writer.write(encoder.encode(text));
    },
    async readLine() {
      while (!buffered.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) return buffered === "" ? undefined : buffered;
        buffered += value;
      }
      const at = buffered.indexOf("\n");
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      return line.trim();
    },
    async close() {
      await writer.close().catch(() => {});
      const status = await Promise.race([
        child.status,
        new Promise<undefined>((r) => setTimeout(r, 5000, undefined)),
      ]);
      if (status === undefined) {
        child.kill("SIGKILL");
        await child.status;
      }
      await reader.cancel().catch(() => {});
    },
  };
}
