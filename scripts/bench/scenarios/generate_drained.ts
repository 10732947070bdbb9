/**
 * `generate_drained`: `generate_keys` with no pool (`--pool-size 0`), every
 * key made on demand while 8 clients ask back to back; against the raw
 * all-core key generation rate (`primitives`).
 * @module
 */

import type { Scenario } from "../scenario.ts";

export const generateDrained: Scenario = {
  name: "generate_drained",
  description: "generate_keys on demand (--pool-size 0), 8 clients",
  service: { kind: "own", flags: ["--pool-size", "0"] },
  async run(ctx) {
    const row = await ctx.load(ctx.server!, "generate_keys, pool drained", {
      clients: 8,
      bodies: [ctx.fixture.bodies.generate],
      requests: ctx.count(48),
    });
    return {
      metrics: { rate_per_s: row.throughput, errors: row.errors },
      rows: [row],
    };
  },
};
