/**
 * `refill`: `encrypt_fernet` on a quiet service against the same right after
 * 30 of the pool's 32 keys are taken, while the pool makes 30 new ones.
 * @module
 */

import type { Scenario } from "../scenario.ts";

export const refill: Scenario = {
  name: "refill",
  description:
    "encrypt_fernet while the pool refills (30 keys just taken) against a quiet service",
  service: { kind: "shared" },
  async run(ctx) {
    const service = ctx.server!;
    const encrypt = [ctx.fixture.bodies.encrypt];
    if (ctx.own) await ctx.waitForQuiet(service);
    const quiet = await ctx.load(service, "encrypt_fernet, quiet (pool full)", {
      clients: 1,
      bodies: encrypt,
      requests: ctx.count(200),
      warmup: 50,
    });
    const taken = await ctx.load(service, "generate_keys, take 30", {
      clients: 1,
      bodies: [ctx.fixture.bodies.generate],
      requests: 30,
    });
    const refilling = await ctx.load(
      service,
      "encrypt_fernet, pool refilling (30 keys just taken)",
      { clients: 1, bodies: encrypt, requests: ctx.count(200) },
    );
    const pool = (await ctx.request(service, { type: "ping" })).pool as
      | { depth: number; size: number; generating: number }
      | undefined;
    refilling.note = `${(refilling.p50 / quiet.p50).toFixed(2)} x quiet p50${
      pool === undefined
        ? ""
        : `; pool ${pool.depth}/${pool.size}, ${pool.generating} generating at the end`
    }`;
    if (ctx.own) await ctx.waitForQuiet(service);
    return {
      metrics: {
        quiet_p50_ms: quiet.p50,
        refill_p50_ms: refilling.p50,
        refill_x: refilling.p50 / quiet.p50,
        errors: quiet.errors + taken.errors + refilling.errors,
      },
      rows: [quiet, refilling],
    };
  },
};
