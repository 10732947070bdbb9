/**
 * `openssl`: `openssl speed rsa2048` on one core and with `-multi <cores>`,
 * the ceiling the service's decryption is compared with.
 * @module
 */

import { opensslSpeed } from "../openssl.ts";
import type { Scenario } from "../scenario.ts";

export const openssl: Scenario = {
  name: "openssl",
  description: "openssl speed rsa2048, one core and -multi <cores>",
  service: { kind: "none" },
  async run(ctx) {
    const seconds = ctx.options.opensslSeconds;
    const single = await opensslSpeed(seconds, 1);
    if (!single.ok) throw new Error(single.reason);
    const multi = await opensslSpeed(seconds, ctx.cores);
    if (!multi.ok) throw new Error(multi.reason);
    return {
      metrics: {
        sign_ms: single.line.signMs,
        sign_per_s: single.line.signPerSecond,
        multi_per_s: multi.line.signPerSecond,
        multi_processes: ctx.cores,
      },
      notes: [`${single.version}, -seconds ${seconds}`],
    };
  },
};
