// Reading a running service's metrics in tests.

import assert from "node:assert/strict";
import type { RunningService } from "./service.ts";

/**
 * The value of an unlabelled sample in a scrape of `service` (or of a
 * broker started with `--metrics`).
 */
export async function gauge(
  service: Pick<RunningService, "metrics">,
  name: string,
): Promise<number> {
  const text = await (await fetch(`${service.metrics}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} in\n${text}`);
  return Number(line.split(" ")[1]);
}

/** Runs `promtool check metrics` on `text`; resolves to its output. */
export async function promtoolCheck(text: string): Promise<
  { ok: boolean; output: string }
> {
  const child = new Deno.Command("promtool", {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  const decoder = new TextDecoder();
  return {
    ok: out.success,
    output: decoder.decode(out.stdout) + decoder.decode(out.stderr),
  };
}

/** A scrape of `/metrics` from `source` (a service or a broker). */
export async function scrape(
  source: Pick<RunningService, "metrics">,
): Promise<string> {
  return await (await fetch(`${source.metrics}/metrics`)).text();
}
