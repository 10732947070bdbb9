/**
 * The processes a benchmark runs: the service, started with the arguments
 * of deno.json's `start` task (so as a user starts it, and with its own
 * process id, for its CPU time and memory), and the round-trip floor's echo
 * server. Also reads a process's CPU time from /proc.
 *
 * @example
 * ```ts ignore
 * import { startService } from "./processes.ts";
 *
 * const service = await startService(["--pool-size", "0"]);
 * console.log(service.endpoint, service.pid);
 * await service.stop();
 * ```
 * @module
 */

const ROOT = new URL("../../", import.meta.url);

/** A server the benchmark started (or was given), ready for requests. */
export interface Server {
  /** Where it listens. */
  readonly endpoint: string;
  /** Its process id; undefined for a service given with `--target`. */
  readonly pid?: number;
  /** The start-up line, as it was logged. */
  readonly startup?: string;
  /** Stops it and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * The arguments after `deno` of one of deno.json's tasks (`start` unless
 * told), such as `["run", "--allow-env", ..., "main.ts"]`.
 */
export async function startTaskArgs(task = "start"): Promise<string[]> {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", ROOT)),
  ) as { tasks: Record<string, string> };
  const [command, ...args] = config.tasks[task].trim().split(/\s+/);
  if (command !== "deno") {
    throw new Error(`deno.json's ${task} task does not begin with deno`);
  }
  return args;
}

/**
 * Starts the service as `deno task start` does, with `--endpoint
 * tcp://127.0.0.1:*`, `--ping-detail full` (the scenarios read the pool's
 * depth and the memory from `ping`) and `flags`; resolves once it logged
 * `listening`.
 */
export async function startService(flags: readonly string[]): Promise<Server> {
  return await startListening(Deno.execPath(), [
    ...await startTaskArgs(),
    "--endpoint",
    "tcp://127.0.0.1:*",
    "--ping-detail",
    "full",
    ...flags,
  ]);
}

/**
 * The service's help texts, `--help` and `serve --help` (a command line
 * with subcommands lists the server's flags under `serve`), to see which
 * flags it has.
 */
export async function serviceHelp(): Promise<string> {
  const decoder = new TextDecoder();
  const texts = await Promise.all([[], ["serve"]].map(async (command) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [...await startTaskArgs(), ...command, "--help"],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    return decoder.decode(out.stdout) + decoder.decode(out.stderr);
  }));
  return texts.join("\n");
}

/**
 * The round-trip floor: pyzmq's ROUTER echo (scripts/bench/echo.py) when
 * `python` is given, else an echo on the project's own transport
 * (scripts/bench/echo_transport.ts).
 */
export async function startEcho(python: string | undefined): Promise<Server> {
  if (python !== undefined) {
    return await startListening(python, [
      new URL("./echo.py", import.meta.url).pathname,
      "tcp://127.0.0.1:*",
    ]);
  }
  return await startListening(Deno.execPath(), [
    "run",
    "--allow-env",
    "--allow-read",
    "--allow-ffi",
    new URL("./echo_transport.ts", import.meta.url).pathname,
    "tcp://127.0.0.1:*",
  ]);
}

/**
 * An instance for a broker's backend: the service started as `deno task
 * start` does, with `--connect backend`, once it has logged
 * `broker-connected`.
 */
export async function startInstance(
  backend: string,
  flags: readonly string[],
): Promise<Server> {
  return await startListening(Deno.execPath(), [
    ...await startTaskArgs(),
    "--connect",
    backend,
    ...flags,
  ], /broker-connected connect=(\S+)/);
}

/**
 * A child process, once it has logged a line that `ready` matches (by
 * default `listening endpoint=...`); its first group is the endpoint.
 */
export async function startListening(
  command: string,
  args: string[],
  ready = /listening endpoint=(\S+)/,
): Promise<Server> {
  const child = new Deno.Command(command, {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  // A child that never says it is ready must not hang the benchmark.
  const late = setTimeout(() => {
    console.error(`bench: ${args.at(-1)}: not ready after 60 s; killed`);
    child.kill("SIGKILL");
  }, 60_000);
  while (true) {
    const { value, done } = await reader.read();
    if (done) {
      clearTimeout(late);
      await child.status;
      throw new Error(`${args.at(-1)}: did not start:\n${text}`);
    }
    text += value;
    const line = text.split("\n").find((line) => ready.test(line));
    const match = line === undefined ? null : ready.exec(line);
    if (match) {
      clearTimeout(late);
      // Keep draining stderr so that the child never blocks on it.
      (async () => {
        while (!(await reader.read()).done) { /* discard */ }
      })();
      let stopped: Promise<unknown> | undefined;
      return {
        endpoint: match[1],
        pid: child.pid,
        startup: line!,
        stop() {
          stopped ??= (async () => {
            try {
              child.kill("SIGTERM");
            } catch {
              // already gone
            }
            // Said, and killed, rather than waited for without end: a
            // service that does not stop on SIGTERM is a finding.
            let timer: ReturnType<typeof setTimeout> | undefined;
            const stuck = await Promise.race([
              child.status.then(() => false),
              new Promise<true>((resolve) => {
                timer = setTimeout(() => resolve(true), 30_000);
              }),
            ]);
            clearTimeout(timer);
            if (stuck) {
              console.error(
                `bench: pid ${child.pid} (${
                  args.slice(-4).join(" ")
                }) had not stopped 30 s after SIGTERM; killed`,
              );
              child.kill("SIGKILL");
              await child.status;
            }
          })();
          return stopped.then(() => {});
        },
      };
    }
  }
}

/**
 * A process's CPU time so far (user + system), in seconds; NaN if unknown.
 * Read through `cat`: Deno lets only --allow-all read /proc.
 */
export async function cpuSeconds(
  pid: number | undefined,
  ticksPerSecond: number,
): Promise<number> {
  if (pid === undefined) return NaN;
  try {
    const out = await new Deno.Command("cat", {
      args: [`/proc/${pid}/stat`],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return NaN;
    return parseCpuTicks(new TextDecoder().decode(out.stdout)) /
      ticksPerSecond;
  } catch {
    return NaN;
  }
}

/**
 * A process's CPU time so far by kind of thread, in seconds: `socket` (the
 * main thread, whose thread id is the process's), `request` (threads named
 * `worker-N`: the request threads), `zmq_io` (libzmq's I/O threads) and
 * `other` (V8's and Deno's helpers); and beside each, `KIND_wait`, the time
 * its threads were ready to run but waited for a core (the second field of
 * /proc's `schedstat`), where the kernel keeps it. Empty if /proc cannot be
 * read. Read through `sh`: Deno lets only --allow-all read /proc.
 */
export async function threadCpuSeconds(
  pid: number | undefined,
  ticksPerSecond: number,
): Promise<Record<string, number>> {
  if (pid === undefined) return {};
  try {
    const out = await new Deno.Command("sh", {
      args: [
        "-c",
        'for t in /proc/"$1"/task/*; do printf "%s|%s|%s|%s\\n" "${t##*/}" "$(cat "$t/comm")" "$(cat "$t/schedstat" 2>/dev/null)" "$(cat "$t/stat")"; done',
        "sh",
        String(pid),
      ],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return {};
    return threadCpuByKind(
      new TextDecoder().decode(out.stdout),
      pid,
      ticksPerSecond,
    );
  } catch {
    return {};
  }
}

/**
 * `tid|comm|schedstat|stat` lines -> CPU seconds by kind of thread, and
 * seconds waited for a core as `KIND_wait` (see above).
 */
export function threadCpuByKind(
  lines: string,
  pid: number,
  ticksPerSecond: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (key: string, value: number) => {
    if (Number.isFinite(value)) out[key] = (out[key] ?? 0) + value;
  };
  for (const line of lines.split("\n")) {
    const [tid, comm, schedstat, ...rest] = line.split("|");
    if (rest.length === 0) continue;
    const kind = Number(tid) === pid
      ? "socket"
      : /^worker-\d+/.test(comm)
      ? "request"
      : /^ZMQbg\/IO/.test(comm)
      ? "zmq_io"
      : "other";
    add(kind, parseCpuTicks(rest.join("|")) / ticksPerSecond);
    const waited = schedstat.trim().split(/\s+/)[1];
    if (waited !== undefined && waited !== "") {
      add(`${kind}_wait`, Number(waited) / 1e9);
    }
  }
  return out;
}

/**
 * utime + stime, in clock ticks, from a /proc/PID/stat line (fields 14 and
 * 15; the command name in field 2 may hold spaces and parentheses).
 */
export function parseCpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 1).trim().split(/\s+/);
  return Number(fields[11]) + Number(fields[12]);
}

/** The clock ticks a second of /proc's times (`getconf CLK_TCK`), else 100. */
export async function clockTicks(): Promise<number> {
  try {
    const out = await new Deno.Command("getconf", {
      args: ["CLK_TCK"],
      stdout: "piped",
      stderr: "null",
    }).output();
    const ticks = Number(new TextDecoder().decode(out.stdout).trim());
    return out.success && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** Whether `python` runs and imports pyzmq. */
export async function hasPyzmq(python: string): Promise<boolean> {
  try {
    const out = await new Deno.Command(python, {
      args: ["-c", "import zmq"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/**
 * The CPU's name, from a subprocess (Deno gives /proc/cpuinfo to --allow-all
 * only): /proc/cpuinfo's `model name` (x86) or `Hardware`/`Model` line
 * (arm64), macOS's `sysctl`, else the architecture.
 */
export function cpuName(): string {
  const probes: [string, string[], RegExp][] = [
    ["cat", ["/proc/cpuinfo"], /^(?:model name|Hardware|Model)\s*:\s*(.+)$/m],
    ["sysctl", ["-n", "machdep.cpu.brand_string"], /^(.+)$/m],
  ];
  for (const [command, args, pattern] of probes) {
    try {
      const out = new Deno.Command(command, { args, stderr: "null" })
        .outputSync();
      const name = pattern.exec(new TextDecoder().decode(out.stdout))?.[1];
      if (out.success && name) return name.trim();
    } catch {
      // no such command here
    }
  }
  return `an unnamed ${Deno.build.arch} CPU`;
}

/**
 * The settings of a start-up line, without what differs from run to run or
 * names this machine's paths (endpoint, pid, file paths).
 */
export function startupSettings(line: string): string {
  return line.replace(/^.*?listening /, "")
    .split(/\s+/)
    .filter((field) =>
      !/^(endpoint|pid)=/.test(field) && !/^[^=]+=.*\//.test(field)
    )
    .join(" ");
}
