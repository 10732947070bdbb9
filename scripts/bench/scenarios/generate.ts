/**
 * `generate`: `generate_keys` from a warm pool, 5 a second, beside `ping` at
 * the same pace (the round trip on an idle machine).
 * @module
 */

import type { Scenario } from "../scenario.ts";

export const generate: Scenario = {
  name: "generate",
  description: "generate_keys from a warm pool, 5 a second, beside ping",
  service: { kind: "shared" },
  async run(ctx) {
    const service = ctx.server!;
    const paced = { clients: 1, requests: ctx.count(25), gapMs: 200 };
    if (ctx.own) await ctx.waitForQuiet(service);
    const warm = await ctx.load(service, "generate_keys, warm pool, 5 req/s", {
      ...paced,
      bodies: [ctx.fixture.bodies.generate],
    });
    const ping = await ctx.load(service, "ping, 5 req/s", {
      ...paced,
      bodies: [ctx.fixture.bodies.ping],
    });
    return {
      metrics: {
        warm_p50_ms: warm.p50,
        warm_p99_ms: warm.p99,
        ping_p50_ms: ping.p50,
        errors: warm.errors + ping.errors,
      },
      rows: [warm, ping],
    };
  },
};
