/**
 * The pattern most operation scenarios share: one client, then four, on
 * the same body; the metrics `p50_1_ms`, `rate_1_per_s`, `p50_4_ms`,
 * `rate_4_per_s`, `four_x` (four clients' rate over one's) and `errors`.
 * @module
 */

import type { Server } from "../processes.ts";
import type { Context, ScenarioResult } from "../scenario.ts";

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
