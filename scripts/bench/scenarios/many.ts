/**
 * `many`: `encrypt_fernet_many` to 10 and to 100 recipients (contract
 * v1.1), their keys alternately PKCS#1 and SPKI.
 * @module
 */

import type { Scenario } from "../scenario.ts";

export const many: Scenario = {
  name: "many",
  description: "encrypt_fernet_many to 10 and 100 recipients (v1.1), 1 client",
  service: { kind: "shared" },
  async run(ctx) {
    const { pair, spki, fernet } = ctx.fixture;
    const metrics: Record<string, number> = { errors: 0 };
    const rows = [];
    for (const recipients of [10, 100]) {
      const rsaPublics = Array.from(
        { length: recipients },
        (_, i) => i % 2 === 0 ? pair.public : spki,
      );
      const row = await ctx.load(
        ctx.server!,
        `encrypt_fernet_many, ${recipients} recipients`,
        {
          clients: 1,
          bodies: [{
            type: "encrypt_fernet_many",
            fernet,
            rsa_publics: rsaPublics,
          }],
          requests: ctx.count(recipients === 10 ? 300 : 60),
        },
      );
      row.note = `p50 ${(row.p50 / recipients).toFixed(3)} ms a recipient`;
      metrics[`p50_${recipients}_ms`] = row.p50;
      metrics.errors += row.errors;
      rows.push(row);
    }
    return { metrics, rows };
  },
};
