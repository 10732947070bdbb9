/**
 * `decrypt_prepared`: `decrypt_fernet` on a service with `--prepared-keys
 * 16` (one key, so no per-key set-up after the first), one client and four,
 * with `ping` on the same service for the latency target.
 * @module
 */

import type { Scenario } from "../scenario.ts";
import { oneThenFour } from "./_clients.ts";

export const decryptPrepared: Scenario = {
  name: "decrypt_prepared",
  description: "decrypt_fernet with --prepared-keys 16, beside ping",
  service: { kind: "own", flags: ["--prepared-keys", "16"] },
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
