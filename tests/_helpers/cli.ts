/**
 * Test helper: the command line's subcommands as a user runs them
 * (`deno task -q cli ...`), one-shot ({@linkcode runCli}) or, for the
 * broker, running until stopped ({@linkcode startBroker}).
 *
 * @example
 * ```ts
 * const run = await runCli(["ping", "--endpoint", service.endpoint]);
 * assert.equal(run.code, 0);
 * ```
 * @module
 */

import { CLEAN_ENV, type Run } from "./service.ts";
import { waitFor } from "./wait.ts";

const ROOT = new URL("../..", import.meta.url);
const decoder = new TextDecoder();

/**
 * `deno task -q cli ...args` to its exit, with `stdin` as its input, and
 * {@linkcode CLEAN_ENV} and then `env` in its environment. With `cwd`, run
 * from that folder as a user would (`deno task --config .../deno.json`).
 */
export async function runCli(
  args: string[],
  stdin = "",
  env: Record<string, string> = {},
  cwd?: string,
): Promise<Run> {
  const config = cwd === undefined
    ? []
    : ["--config", new URL("deno.json", ROOT).pathname];
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", ...config, "cli", ...args],
    cwd: cwd ?? ROOT,
    // Where a user's shell runs `deno task` from; one run under `deno task
    // test` would otherwise pass on the test's own INIT_CWD, which `deno
    // task` keeps when it is set.
    env: { ...CLEAN_ENV, INIT_CWD: cwd ?? ROOT.pathname, ...env },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const output = await child.output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** A running `keyservice broker`. */
export interface RunningBroker {
  /** Where clients connect. */
  readonly frontend: string;
  /** Where instances connect (`--connect`). */
  readonly backend: string;
  /**
   * With `--metrics`, the listener's base URL, e.g. `http://127.0.0.1:9464`
   * (from the start-up line); otherwise undefined.
   */
  readonly metrics: string | undefined;
  /** The process id of `deno task` (the broker's parent). */
  readonly pid: number;
  /** Its log so far. */
  stderr(): string;
  /** SIGTERM, then resolves to the exit code. */
  stop(): Promise<number>;
}

/** How {@linkcode startBroker} runs the broker beyond its flags. */
export interface BrokerStart {
  /**
   * `--backend`: by default an `ipc://` socket in a new folder of mode 0700
   * (removed at stop), which the broker accepts without CURVE.
   */
  readonly backend?: string;
  /** A command that runs `deno` (as its last arguments), such as `setpriv`. */
  readonly wrapper?: readonly [string, ...string[]];
}

/** `deno task -q cli broker ...args` to its exit (a start-up refusal). */
export async function runBroker(args: string[]): Promise<Run> {
  return await runCli(["broker", ...args]);
}

/**
 * Starts `deno task -q cli broker --frontend tcp://127.0.0.1:* --backend
 * BACKEND ...args` and waits for its start-up line.
 */
export async function startBroker(
  args: string[] = [],
  options: BrokerStart = {},
): Promise<RunningBroker> {
  const folder = options.backend === undefined
    ? await Deno.makeTempDir({ prefix: "keyservice-broker-" })
    : undefined;
  const backend = options.backend ?? `ipc://${folder}/backend`;
  const [command, ...wrapperArgs] = options.wrapper ?? [Deno.execPath()];
  const child = new Deno.Command(command, {
    args: [
      ...(options.wrapper ? [...wrapperArgs, Deno.execPath()] : []),
      "task",
      "-q",
      "cli",
      "broker",
      "--frontend",
      "tcp://127.0.0.1:*",
      "--backend",
      backend,
      ...args,
    ],
    cwd: ROOT,
    env: CLEAN_ENV,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let err = "";
  let exited = false;
  const pump = (async () => {
    for await (
      const text of child.stderr.pipeThrough(new TextDecoderStream())
    ) err += text;
  })();
  const status = child.status.then(async (s) => {
    exited = true;
    await pump;
    if (folder !== undefined) await Deno.remove(folder, { recursive: true });
    return s.code;
  });
  const match = await waitFor(() => {
    if (exited) throw new Error(`broker exited:\n${err}`);
    return /INFO broker-listening frontend=(\S+) backend=(\S+)/.exec(err);
  }, { what: "the broker's start-up line", explain: () => err }).catch(
    async (error) => {
      if (!exited) child.kill("SIGKILL");
      await status;
      throw error;
    },
  );
  const metrics = / metrics=http:\/\/(\S+)\/metrics/.exec(match.input)?.[1];
  return {
    frontend: match[1],
    backend: match[2],
    metrics: metrics === undefined ? undefined : `http://${metrics}`,
    pid: child.pid,
    stderr: () => err,
    async stop() {
      if (!exited) child.kill("SIGTERM");
      return await status;
    },
  };
}
