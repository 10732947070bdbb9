/**
 * Test helper: the Python client stack (pyzmq, python-rsa, cryptography)
 * for the interop tests, run by /usr/bin/python3 (Debian's packages).
 * KEYSERVICE_INTEROP_PYTHON names another interpreter;
 * KEYSERVICE_REQUIRE_INTEROP=1 turns a missing stack from "ignored" into a
 * failure (CI sets it).
 *
 * @module
 */

import { type Gate, gate } from "./gate.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
/** The interpreter the interop tests run (KEYSERVICE_INTEROP_PYTHON). */
export const PYTHON = Deno.env.get("KEYSERVICE_INTEROP_PYTHON") ||
  "/usr/bin/python3";
export { REQUIRED } from "./gate.ts";
const CHECK_PYTHON = "tests/interop/python/check_python.py";
const CLIENT_TIMEOUT_MS = 300_000;

/** What a Python run printed, and its exit code. */
export interface PythonRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `PYTHON ...args` in the project root, with a clean environment and
 * then `env`.
 */
export async function python(
  args: string[],
  timeoutMs = CLIENT_TIMEOUT_MS,
  env: Record<string, string> = {},
): Promise<PythonRun> {
  const output = await new Deno.Command(PYTHON, {
    args,
    cwd: ROOT,
    clearEnv: true,
    env: {
      PATH: "/usr/bin:/bin",
      LANG: "C.UTF-8",
      PYTHONDONTWRITEBYTECODE: "1",
      PYTHONUNBUFFERED: "1",
      ...env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Whether PYTHON exists and imports zmq, rsa and cryptography. */
export async function detectPython(): Promise<{ ok: boolean; reason: string }> {
  try {
    const info = await Deno.stat(PYTHON);
    if (!info.isFile) return { ok: false, reason: `${PYTHON} is not a file` };
  } catch {
    return { ok: false, reason: `${PYTHON} does not exist` };
  }
  let run: PythonRun;
  try {
    run = await python([CHECK_PYTHON], 60_000);
  } catch (error) {
    return { ok: false, reason: `${PYTHON} cannot run: ${error}` };
  }
  if (run.code === 0) return { ok: true, reason: run.stdout.trim() };
  const missing = /^missing: (.*)$/m.exec(run.stdout)?.[1] ??
    `check_python.py exited ${run.code}: ${run.stdout}${run.stderr}`;
  return {
    ok: false,
    reason: `${PYTHON} lacks Python packages: ${missing}` +
      " (Debian: apt-get install python3-zmq python3-rsa python3-cryptography)",
  };
}

/**
 * Detects the Python stack for the tests named `what` (e.g. "interop
 * tests"): a {@linkcode Gate} that ignores them, saying why, where it is
 * missing, or fails them under KEYSERVICE_REQUIRE_INTEROP=1.
 */
export async function interopGate(what: string): Promise<Gate> {
  return gate(what, await detectPython());
}
