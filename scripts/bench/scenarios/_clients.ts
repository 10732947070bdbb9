/**
 * The patterns scenarios share: one client, then four, on the same body
 * (the metrics `p50_1_ms`, `rate_1_per_s`, `p50_4_ms`, `rate_4_per_s`,
 * `four_x`, four clients' rate over one's, and `errors`); and a sweep of
 * client counts with each row's CPU by thread.
 * @module
 */

import type { Server } from "../processes.ts";
import type { Context, ScenarioResult } from "../scenario.ts";
import type { LoadRow } from "../stats.ts";
import { threadCpuNote } from "./scaling.ts";

/** One client for `one` requests, then four for `four` requests. */
export async function oneThenFour(
  ctx: Context,
  server: Server,
  name: string,
  bodies: readonly unknown[],
  one: number,
  four: number,
): Promise<ScenarioResult & { metrics: Record<string, number> }> {
  const single = await ctx.load(server, name, {
    clients: 1,
    bodies,
    requests: ctx.count(one),
    warmup: 20,
  });
  const quad = await ctx.load(server, name, {
    clients: 4,
    bodies,
    requests: ctx.count(four),
    warmup: 5,
  });
  quad.note = `${
    (quad.throughput / single.throughput).toFixed(2)
  } x one client`;
  return {
    metrics: {
      p50_1_ms: single.p50,
      rate_1_per_s: single.throughput,
      p50_4_ms: quad.p50,
      rate_4_per_s: quad.throughput,
      four_x: quad.throughput / single.throughput,
      errors: single.errors + quad.errors,
    },
    rows: [single, quad],
  };
}

/**
 * Timed loads of `body` on `server` with each of `counts` clients, for
 * `--seconds` each: rows noted with where the service's CPU went by thread
 * (after `notePrefix`), `NAME_CLIENTS_per_s` metrics and `errors` added to
 * `into`.
 */
export async function clientSweep(
  ctx: Context,
  server: Server,
  name: string,
  label: (clients: number) => string,
  body: unknown,
  counts: readonly number[],
  into: { metrics: Record<string, number>; rows: LoadRow[] },
  notePrefix = "",
): Promise<void> {
  for (const clients of counts) {
    const row = await ctx.load(server, label(clients), {
      clients,
      seconds: ctx.options.seconds,
      warmup: 5,
      bodies: [body],
    });
    row.note = notePrefix + threadCpuNote(row);
    into.rows.push(row);
    into.metrics[`${name}_${clients}_per_s`] = row.throughput;
    into.metrics.errors = (into.metrics.errors ?? 0) + row.errors;
  }
}
