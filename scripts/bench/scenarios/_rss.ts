/**
 * RSS samples of a service during a load: its `ping`'s `rss_bytes`, once a
 * second, one request at a time.
 * @module
 */

import type { Server } from "../processes.ts";
import type { Context } from "../scenario.ts";

/** Samples until `stop()`, which resolves to the samples (bytes). */
export function sampleRss(
  ctx: Context,
  server: Server,
): { stop(): Promise<number[]> } {
  const samples: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      await new Promise((r) => setTimeout(r, 1000));
      if (!running) break;
      const ping = await ctx.request(server, { type: "ping" });
      samples.push(ping.rss_bytes as number);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}
