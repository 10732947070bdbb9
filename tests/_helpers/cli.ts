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
 * {@linkcode CLEAN_ENV} and then `env` in its environment.
 */
export async function runCli(
  args: string[],
  stdin = "",
  env: Record<string, string> = {},
): Promise<Run> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "cli", ...args],
    cwd: ROOT,
    env: { ...CLEAN_ENV, ...env },
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
  /** Its log so far. */
  stderr(): string;
  /** SIGTERM, then resolves to the exit code. */
  stop(): Promise<number>;
}

/**
 * Starts `deno task -q cli broker --frontend tcp://127.0.0.1:* --backend
 * tcp://127.0.0.1:* ...args` and waits for its start-up line.
 */
export async function startBroker(args: string[] = []): Promise<RunningBroker> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "task",
      "-q",
      "cli",
      "broker",
      "--frontend",
      "tcp://127.0.0.1:*",
      "--backend",
      "tcp://127.0.0.1:*",
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
    return s.code;
  });
  const match = await waitFor(() => {
    if (exited) throw new Error(`broker exited:\n${err}`);
    return /INFO broker-listening frontend=(\S+) backend=(\S+)/.exec(err);
  }, { what: "the broker's start-up line", explain: () => err }).catch(
    (error) => {
      if (!exited) child.kill("SIGKILL");
      throw error;
    },
  );
  return {
    frontend: match[1],
    backend: match[2],
    stderr: () => err,
    async stop() {
      if (!exited) child.kill("SIGTERM");
      return await status;
    },
  };
}
