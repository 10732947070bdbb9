/**
 * `idle`: the shared service's memory once started and its pool full, before
 * any request but pings. Runs first, on a fresh service.
 * @module
 */

import { type Scenario, ScenarioSkipped } from "../scenario.ts";

export const idle: Scenario = {
  name: "idle",
  description: "the service's RSS just started, its pool of 32 full",
  service: { kind: "shared" },
  async run(ctx) {
    if (!ctx.own) {
      throw new ScenarioSkipped("it needs the bench's own service");
    }
    const ping = await ctx.waitForQuiet(ctx.server!);
    return {
      metrics: {
        rss_mb: (ping.rss_bytes as number) / 2 ** 20,
        heap_mb: (ping.heap_used_bytes as number) / 2 ** 20,
      },
      notes: ["MB here are MiB (2^20 bytes), from ping's rss_bytes"],
    };
  },
};
