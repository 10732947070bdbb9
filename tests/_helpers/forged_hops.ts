/**
 * A client that writes a new hop frame before its delimiter on each request,
 * beside a polite client: the load of the forged-hop tests (issue 16).
 *
 * @example
 * ```ts
 * import { Dealer } from "./dealer.ts";
 * import { FORGED_HOP_LIMITS, forgeWhilePolite } from "./forged_hops.ts";
 * import { ask, withService } from "./service.ts";
 *
 * await withService(async (service) => {
 *   const forger = Dealer.connect(service.endpoint);
 *   const client = service.client();
 *   const seen = await forgeWhilePolite(forger, () => ask(client, { type: "ping" }));
 *   console.log(seen.statuses, seen.inFlight);
 *   client.close();
 *   forger.close();
 * }, FORGED_HOP_LIMITS);
 * ```
 * @module
 */

import type { Dealer } from "./dealer.ts";
import { jsonBytes } from "./service.ts";

/** A small global cap, 4 per client, and keys made on demand (slow). */
export const FORGED_HOP_LIMITS: readonly string[] = [
  "--max-inflight",
  "16",
  "--max-inflight-per-client",
  "4",
  "--pool-size",
  "0",
];

/** What the polite client saw, and how many requests the forger sent. */
export interface ForgedHopRun {
  /** Each ping's `status`, or its error `code`. */
  readonly statuses: string[];
  /** Requests in flight each ping reported (`--ping-detail full`). */
  readonly inFlight: number[];
  /** Requests the forger sent. */
  readonly sent: number;
}

/**
 * 20 rounds: `forger` sends 20 `generate_keys`, each as `[hop-N, "", body]`
 * with a hop never used before, then the polite client pings once.
 */
export async function forgeWhilePolite(
  forger: Dealer,
  ping: () => Promise<Record<string, unknown>>,
): Promise<ForgedHopRun> {
  const statuses: string[] = [];
  const inFlight: number[] = [];
  const encoder = new TextEncoder();
  let sent = 0;
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 20; i++) {
      forger.send([
        encoder.encode(`hop-${sent++}`),
        new Uint8Array(0),
        jsonBytes({ type: "generate_keys" }),
      ]);
    }
    const reply = await ping();
    statuses.push(String(reply.status ?? reply.code));
    inFlight.push(Number(reply.in_flight));
  }
  return { statuses, inFlight, sent };
}
