/**
 * `soak` (only when asked for by name): 8 clients of mixed operations for
 * `--soak-seconds` (600), the service's RSS at 60 s against at the end.
 * @module
 */

import type { Scenario } from "../scenario.ts";
import { sampleRss } from "./_rss.ts";

export const soak: Scenario = {
  name: "soak",
  description:
    "8 clients of mixed operations for --soak-seconds, RSS at 60 s against the end",
  service: { kind: "shared" },
  optIn: true,
  async run(ctx) {
    const { bodies } = ctx.fixture;
    const seconds = ctx.options.soakSeconds;
    const sampler = sampleRss(ctx, ctx.server!);
    const row = await ctx.load(ctx.server!, "soak, mixed operations", {
      clients: 8,
      bodies: [bodies.generate, bodies.encrypt, bodies.decrypt, bodies.ping],
      seconds,
    });
    const rss = await sampler.stop();
    const mib = (bytes: number) => bytes / 2 ** 20;
    const atMinute = rss[59];
    const end = rss.at(-1) ?? NaN;
    row.note = `RSS ${
      atMinute === undefined ? "" : `${mib(atMinute).toFixed(1)} MB at 60 s, `
    }${mib(end).toFixed(1)} MB at end, ${
      mib(Math.max(...rss)).toFixed(1)
    } MB peak`;
    return {
      metrics: {
        errors: row.errors,
        rss_end_mb: mib(end),
        rss_peak_mb: mib(Math.max(...rss)),
        ...(atMinute === undefined
          ? {}
          : { rss_change_abs_mb: Math.abs(mib(end - atMinute)) }),
      },
      rows: [row],
      rss: { clients: 8, seconds, rss },
    };
  },
};
