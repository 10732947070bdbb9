/**
 * `mix`: `--mix-clients` clients (16) for `--mix-seconds` (60), each request
 * one of generate_keys, encrypt_fernet (3 in 8), decrypt_fernet (3 in 8) and
 * ping, with the service's RSS once a second (the RSS chart).
 * @module
 */

import type { Scenario } from "../scenario.ts";
import { sampleRss } from "./_rss.ts";

export const mix: Scenario = {
  name: "mix",
  description:
    "a mix of all operations, --mix-clients clients for --mix-seconds, RSS each second",
  service: { kind: "shared" },
  async run(ctx) {
    const { bodies } = ctx.fixture;
    const { mixSeconds: seconds, mixClients: clients } = ctx.options;
    const sampler = sampleRss(ctx, ctx.server!);
    const row = await ctx.load(ctx.server!, "mix of all operations", {
      clients,
      bodies: [
        bodies.generate,
        bodies.encrypt,
        bodies.encrypt,
        bodies.encrypt,
        bodies.decrypt,
        bodies.decrypt,
        bodies.decrypt,
        bodies.ping,
      ],
      seconds,
    });
    const rss = await sampler.stop();
    const at10 = rss[9] ?? NaN;
    const end = rss.at(-1) ?? NaN;
    row.note = `RSS ${(at10 / 1e6).toFixed(1)} MB at 10 s, ${
      (end / 1e6).toFixed(1)
    } MB at end`;
    return {
      metrics: {
        rate_per_s: row.throughput,
        errors: row.errors,
        rss_end_mb: end / 1e6,
        // Growth is judged on runs long enough to have a plateau.
        ...(seconds >= 20 ? { rss_growth_mb: (end - at10) / 1e6 } : {}),
      },
      rows: [row],
      rss: { clients, seconds, rss },
      notes: seconds >= 20 ? [] : [
        `RSS growth not judged: the mix ran ${seconds} s (20 s or more needed)`,
      ],
    };
  },
};
