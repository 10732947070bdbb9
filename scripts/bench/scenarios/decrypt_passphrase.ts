/**
 * `decrypt_passphrase`: `decrypt_fernet` with an `ENCRYPTED PRIVATE KEY`
 * (PBES2 at the service's default 600,000 PBKDF2 iterations; contract
 * v1.1), one client and one a core.
 * @module
 */

import { exportKeyPair } from "../../../lib/crypto/mod.ts";
import type { Scenario } from "../scenario.ts";

export const decryptPassphrase: Scenario = {
  name: "decrypt_passphrase",
  description:
    "decrypt_fernet, ENCRYPTED PRIVATE KEY (600,000 PBKDF2 iterations), 1 client and one a core",
  service: { kind: "shared" },
  async run(ctx) {
    const passphrase = "correct horse battery staple";
    const sealed = await exportKeyPair(ctx.fixture.pair, {
      format: "pkcs8",
      passphrase,
      iterations: 600_000,
    });
    const bodies = [{
      ...ctx.fixture.bodies.decrypt,
      rsa_private: sealed.private,
      passphrase,
    }];
    const name = "decrypt_fernet, ENCRYPTED PRIVATE KEY";
    const one = await ctx.load(ctx.server!, name, {
      clients: 1,
      bodies,
      requests: ctx.count(20),
    });
    const all = await ctx.load(ctx.server!, name, {
      clients: ctx.cores,
      bodies,
      requests: ctx.count(10 * ctx.cores),
    });
    all.note = `${(all.throughput / one.throughput).toFixed(2)} x one client`;
    return {
      metrics: {
        p50_1_ms: one.p50,
        rate_1_per_s: one.throughput,
        rate_cores_per_s: all.throughput,
        errors: one.errors + all.errors,
      },
      rows: [one, all],
    };
  },
};
