// The log under a flood: requests are logged each at debug level only; at
// info the service writes a count per reply code per interval, so a client
// that sends thousands of requests (here nearly all `overloaded`) adds a
// few lines, not thousands, while the metrics still count every request.

import assert from "node:assert/strict";
import { Dealer } from "../_helpers/dealer.ts";
import { jsonBytes, withService } from "../_helpers/service.ts";
import { logLines, waitFor } from "../_helpers/wait.ts";

const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder();
const FLOOD = 3000;

/** The sum of keyservice_requests_total's samples with `label`. */
function metricTotal(text: string, label: string): number {
  return text.split("\n")
    .filter((line) =>
      line.startsWith("keyservice_requests_total{") && line.includes(label)
    )
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
}

Deno.test("a flood of overloaded requests adds a few log lines with their count; the metrics count each", async () => {
  let received = 0;
  let counted = 0;
  const service = await withService(async (service) => {
    const flooder = Dealer.connect(service.endpoint);
    try {
      // One slow request (a 4096-bit pair made on demand: seconds) holds
      // the client at its cap of 1; the pings that follow are refused as
      // fast as they are read. Pings read after it finished are answered
      // ok (how many depends on the machine), so the refusals are counted,
      // not assumed to be most of the flood.
      flooder.send([EMPTY, jsonBytes({ type: "generate_keys", bits: 4096 })]);
      for (let i = 0; i < FLOOD; i++) {
        flooder.send([EMPTY, jsonBytes({ type: "ping" })]);
      }
      // Until the metrics have counted the pings (and more); replies are read as
      // they come (a few may be dropped: the client reads slower than the
      // service refuses).
      const replies: Uint8Array[][] = [];
      const text = await waitFor(async () => {
        replies.push(...flooder.drain());
        const metrics = await fetch(`${service.metrics}/metrics`);
        const text = await metrics.text();
        return metricTotal(text, "") >= FLOOD ? text : undefined;
      }, { timeoutMs: 60_000, what: "every ping counted" });
      replies.push(...flooder.drain());
      received = replies.filter((reply) =>
        /"code":"overloaded"/.test(decoder.decode(reply.at(-1)))
      ).length;
      counted = metricTotal(text, 'code="overloaded"');
    } finally {
      flooder.close();
    }
  }, [
    "--max-inflight-per-client",
    "1",
    "--pool-size",
    "0",
    "--metrics",
    "127.0.0.1:0",
  ]);
  const lines = service.stderr().trim().split("\n");
  const tallies = logLines(service, / WARN requests code=overloaded /);
  const logged = tallies.reduce(
    (sum, line) => sum + Number(/ count=(\d+)/.exec(line)![1]),
    0,
  );
  console.log(
    `${received} overloaded replies received, ${counted} counted by the ` +
      `metrics, ${logged} by ${tallies.length} log line(s); ` +
      `${lines.length} lines in all`,
  );
  // Enough refusals that a line each would be many times the 40 allowed.
  assert.ok(counted >= 200, `only ${counted} overloaded`);
  assert.ok(counted >= received);
  // The metrics were read before the last requests' tally was written:
  // the log counts them all.
  assert.ok(logged >= counted, `${logged} logged, ${counted} counted`);
  assert.deepEqual(logLines(service, / request type=/), []);
  assert.ok(lines.length < 40, service.stderr());
});
