/**
 * `decrypt_prepared`: `decrypt_fernet` on a service with `--prepared-keys
 * 16` (one key, so no per-key set-up after the first) and no key pool, one
 * client and four, with `ping` on the same service for the latency target.
 * @module
 */

import type { Scenario } from "../scenario.ts";
import { oneThenFour } from "./_clients.ts";

export const decryptPrepared: Scenario = {
  name: "decrypt_prepared",
  description: "decrypt_fernet with --prepared-keys 16, beside ping",
  // No key pool: a fresh service fills it in the first seconds, which is
  // when ping is measured, and ping's p50 is half of the target's bound.
  service: {
    kind: "own",
    flags: ["--prepared-keys", "16", "--pool-size", "0"],
  },
  async run(ctx) {
    const server = ctx.server!;
    const ping = await ctx.load(server, "ping", {
      clients: 1,
      bodies: [ctx.fixture.bodies.ping],
      requests: ctx.count(1000),
      warmup: 100,
    });
    const result = await oneThenFour(
      ctx,
      server,
      "decrypt_fernet, --prepared-keys 16",
      [ctx.fixture.bodies.decrypt],
      300,
      800,
    );
    return {
      metrics: {
        ...result.metrics,
        ping_p50_ms: ping.p50,
        errors: result.metrics.errors + ping.errors,
      },
      rows: [ping, ...result.rows!],
    };
  },
};
