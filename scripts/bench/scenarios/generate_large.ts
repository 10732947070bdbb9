/**
 * `generate_large`: `generate_keys` with `"bits"` 3072 and 4096 (contract
 * v1.1), made on demand (the pool holds 2048-bit pairs only), one at a time.
 * @module
 */

import type { Scenario } from "../scenario.ts";

export const generateLarge: Scenario = {
  name: "generate_large",
  description:
    "generate_keys, bits 3072 and 4096 (v1.1, on demand), one client",
  service: { kind: "shared" },
  async run(ctx) {
    const metrics: Record<string, number> = { errors: 0 };
    const rows = [];
    for (const bits of [3072, 4096]) {
      const row = await ctx.load(
        ctx.server!,
        `generate_keys, bits ${bits} (on demand)`,
        {
          clients: 1,
          bodies: [{ type: "generate_keys", bits }],
          requests: Math.max(2, Math.round(6 * ctx.options.scale)),
        },
      );
      metrics[`mean_${bits}_ms`] = row.seconds * 1000 / row.requests;
      metrics.errors += row.errors;
      rows.push(row);
    }
    return { metrics, rows };
  },
};
