/**
 * The command line's small jobs besides serving: `--help`, `--version`,
 * `curve-keypair`, and the one-line failure every start-up error becomes.
 *
 * @example
 * ```ts
 * import { parseConfig } from "./config.ts";
 * import { runSubcommand } from "./commands.ts";
 *
 * const parsed = parseConfig(["--version"], {});
 * if (parsed.kind !== "run") Deno.exit(runSubcommand(parsed)); // prints "keyservice 1.1.0"
 * ```
 * @module
 */

import { generateCurveKeyPair } from "../zmq/curve.ts";
import { loadLibzmq } from "../zmq/libzmq.ts";
import type { Parsed } from "./config.ts";
import { firstLine } from "../runtime/ops/log.ts";
import { VERSION } from "../runtime/version.ts";

const encoder = new TextEncoder();

/** Writes `text` to standard output. */
export function print(text: string): void {
  Deno.stdout.writeSync(encoder.encode(text));
}

/**
 * Writes `keyservice: <reason>` on one line to standard error; returns
 * `code`, the exit code to use.
 */
export function fail(reason: unknown, code = 1): number {
  const text = typeof reason === "string" ? reason : firstLine(reason);
  Deno.stderr.writeSync(encoder.encode(`keyservice: ${text}\n`));
  return code;
}

/** Runs what the command line asks for other than serving; the exit code. */
export function runSubcommand(
  parsed: Exclude<Parsed, { kind: "run" }>,
): number {
  switch (parsed.kind) {
    case "help":
      print(parsed.text);
      return 0;
    case "version":
      print(`keyservice ${VERSION}\n`);
      return 0;
    case "curve-keypair":
      try {
        const pair = generateCurveKeyPair(loadLibzmq(parsed.libzmq));
        print(`public ${pair.public}\nsecret ${pair.secret}\n`);
        return 0;
      } catch (error) {
        return fail(error);
      }
  }
}
