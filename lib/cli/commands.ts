/**
 * What the command line prints: its output on stdout, and the one-line
 * failure every error becomes on stderr, with the exit code. Only the
 * command line prints; the runtime and the layers below throw.
 *
 * @example
 * ```ts
 * import { fail, print } from "./commands.ts";
 *
 * print("done\n");
 * const code = fail("--out: refusing to overwrite keys.txt", 1);
 * ```
 * @module
 */

import { firstLine } from "../runtime/ops/log.ts";

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
