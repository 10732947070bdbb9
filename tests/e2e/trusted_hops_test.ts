// Behind a broker, a client is the hop the broker added for it (an instance
// started with --connect trusts 1 hop), never frames it wrote itself: a
// DEALER that writes a new hop before each request, through the broker, is
// held to its cap, and a REQ client beside it is served.

import assert from "node:assert/strict";
import { startBroker } from "../_helpers/cli.ts";
import { Dealer } from "../_helpers/dealer.ts";
import {
  FORGED_HOP_LIMITS,
  forgeWhilePolite,
} from "../_helpers/forged_hops.ts";
import { ask, startService, testLibzmq } from "../_helpers/service.ts";
import { ReqClient } from "../../lib/zmq/client.ts";

Deno.test("through a broker, a DEALER forging a hop on each request is one client, held to its cap; a polite client is never overloaded", async () => {
  const broker = await startBroker();
  try {
    const instance = await startService(
      ["--connect", broker.backend, ...FORGED_HOP_LIMITS],
      {},
      { direct: true },
    );
    const polite = ReqClient.connect(testLibzmq(), {
      endpoint: broker.frontend,
    });
    const forger = Dealer.connect(broker.frontend);
    try {
      // Served once through the broker: the instance is connected.
      assert.equal((await ask(polite, { type: "ping" })).status, "ok");
      const { statuses, inFlight } = await forgeWhilePolite(
        forger,
        () => ask(polite, { type: "ping" }),
      );
      console.log(
        "requests in flight seen by the polite client:",
        inFlight.join(" "),
      );
      assert.deepEqual(statuses, Array(20).fill("ok"));
      assert.ok(Math.max(...inFlight) <= 4, inFlight.join(" "));
    } finally {
      forger.close();
      polite.close();
      await instance.shutDown();
    }
  } finally {
    await broker.stop();
  }
});
