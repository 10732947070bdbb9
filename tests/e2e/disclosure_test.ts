// What the service tells about itself, end to end: by default `ping` tells
// any client only that the service is up, its version and its capabilities;
// `--ping-detail full` adds the load, the key pool and the memory. A CURVE
// secret key given on the command line draws a warning that names the safer
// ways, and the key itself is never logged.

import assert from "node:assert/strict";
import { generateCurveKeyPair } from "../../lib/zmq/curve.ts";
import { DEFAULT_MAX_VERSIONS } from "../../lib/keystore/limits.ts";
import { keystoreCapabilities } from "../../lib/service/keystore_protocol.ts";
import { assertNoSecrets, curveClient } from "../_helpers/curve.ts";
import {
  ask,
  type RunningService,
  testLibzmq,
  withService,
} from "../_helpers/service.ts";
import { logLines } from "../_helpers/wait.ts";

Deno.test("by default ping tells only that the service is up, its version and capabilities", async () => {
  await withService(async (service) => {
    const reply = await service.request({ type: "ping" });
    assert.deepEqual(Object.keys(reply), ["status", "version", "capabilities"]);
    assert.equal(reply.status, "ok");
    // The service's default: the keystore on, so v1.2's block too.
    assert.deepEqual(
      reply.capabilities,
      keystoreCapabilities(DEFAULT_MAX_VERSIONS),
    );
  }, ["--ping-detail", "none"]);
});

Deno.test("KEYSERVICE_PING_DETAIL=full: ping adds requests in flight, the pool, the backend and memory", async () => {
  await withService(
    async (service) => {
      const reply = await service.request({ type: "ping" });
      assert.deepEqual(Object.keys(reply), [
        "status",
        "version",
        "in_flight",
        "pool",
        "workers",
        "crypto",
        "rss_bytes",
        "heap_used_bytes",
        "capabilities",
      ]);
      assert.deepEqual(
        Object.keys(reply.pool as object),
        ["depth", "size", "generating", "expired"],
      );
    },
    [],
    { KEYSERVICE_PING_DETAIL: "full" },
  );
});

/** A ping over CURVE, trusting `serverKey`, answered. */
async function curvePing(service: RunningService, serverKey: string) {
  const client = curveClient(
    service,
    serverKey,
    generateCurveKeyPair(testLibzmq()),
  );
  try {
    assert.equal((await ask(client, { type: "ping" })).status, "ok");
  } finally {
    client.close();
  }
}

Deno.test("--curve-secret-key on the command line draws a warning naming the file and the variable, never the key", async () => {
  const server = generateCurveKeyPair(testLibzmq());
  const service = await withService(
    (service) => curvePing(service, server.public),
    ["--curve-secret-key", server.secret, "--pool-size", "0"],
  );
  const warnings = logLines(service, / WARN curve-key-on-command-line /);
  assert.equal(warnings.length, 1, service.stderr());
  assert.match(warnings[0], /--curve-secret-key-file/);
  assert.match(warnings[0], /KEYSERVICE_CURVE_SECRET_KEY/);
  assertNoSecrets(service, { "the server's secret key": server.secret });
});

Deno.test("a CURVE secret key from KEYSERVICE_CURVE_SECRET_KEY draws no such warning", async () => {
  const server = generateCurveKeyPair(testLibzmq());
  const service = await withService(
    (service) => curvePing(service, server.public),
    ["--pool-size", "0"],
    { KEYSERVICE_CURVE_SECRET_KEY: server.secret },
  );
  assert.match(service.stderr(), / curve=on /);
  assert.deepEqual(logLines(service, /curve-key-on-command-line/), []);
  assertNoSecrets(service, { "the server's secret key": server.secret });
});
