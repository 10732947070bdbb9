/**
 * Test helper, run as its own process: floods a service with oversized-DER
 * requests (issue 16, finding 4) from `connections` DEALERs, each keeping
 * 8 requests in flight (the per-client cap), until SIGTERM; then prints the
 * number of replies it read and exits. Its own process, so that the test's
 * quiet client measures the service, not a busy test thread.
 *
 * Usage: `deno run -A der_flood.ts ENDPOINT CONNECTIONS REQUESTS.json`
 *
 * @module
 */

import { Dealer } from "./dealer.ts";

const IN_FLIGHT = 8;

if (import.meta.main) {
  const [endpoint, connections, file] = Deno.args;
  const bodies = (JSON.parse(Deno.readTextFileSync(file)) as unknown[]).map(
    (request) => new TextEncoder().encode(JSON.stringify(request)),
  );
  let stop = false;
  Deno.addSignalListener("SIGTERM", () => stop = true);
  const dealers = Array.from(
    { length: Number(connections) },
    () => Dealer.connect(endpoint),
  );
  let sent = 0;
  let replies = 0;
  const send = (dealer: Dealer) =>
    dealer.send([new Uint8Array(0), bodies[sent++ % bodies.length]]);
  for (const dealer of dealers) {
    for (let i = 0; i < IN_FLIGHT; i++) send(dealer);
  }
  // Ready: the test starts its pings once this line is out.
  console.log("flooding");
  while (!stop) {
    for (const dealer of dealers) {
      for (const _ of await dealer.receive(1, 20)) {
        replies++;
        send(dealer);
      }
    }
  }
  console.log(`replies ${replies}`);
  for (const dealer of dealers) dealer.close();
}
