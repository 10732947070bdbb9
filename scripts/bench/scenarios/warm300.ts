/**
 * `warm300`: `generate_keys` from a warm pool against `ping`, both one
 * every 300 ms on a quiet service: a pooled key costs no more than a round
 * trip.
 * @module
 */

import type { Scenario } from "../scenario.ts";

export const warm300: Scenario = {
  name: "warm300",
  description: "generate_keys from a warm pool against ping, one every 300 ms",
  service: { kind: "shared" },
  async run(ctx) {
    const service = ctx.server!;
    const paced = { clients: 1, requests: ctx.count(30), gapMs: 300 };
    if (ctx.own) await ctx.waitForQuiet(service);
    const ping = await ctx.load(service, "ping, one every 300 ms", {
      ...paced,
      bodies: [ctx.fixture.bodies.ping],
    });
    if (ctx.own) await ctx.waitForQuiet(service);
    const warm = await ctx.load(
      service,
      "generate_keys, warm pool, one every 300 ms",
      { ...paced, bodies: [ctx.fixture.bodies.generate] },
    );
    warm.note = `${(warm.p50 / ping.p50).toFixed(2)} x ping p50`;
    return {
      metrics: {
        ping_p50_ms: ping.p50,
        generate_p50_ms: warm.p50,
        errors: ping.errors + warm.errors,
      },
      rows: [ping, warm],
    };
  },
};
