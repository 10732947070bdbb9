// The benchmark's load path on real processes: client processes (pyzmq's,
// and Deno FFI's where pyzmq is missing) against a real echo server, every
// request answered and counted, replies holding "error" counted as errors,
// and the clients' and the server's CPU time read.

import assert from "node:assert/strict";
import { type LoadClients, runLoad } from "../../../scripts/bench/load.ts";
import {
  clockTicks,
  hasPyzmq,
  startEcho,
} from "../../../scripts/bench/processes.ts";
import { gate } from "../../_helpers/gate.ts";

const PYTHON = "/usr/bin/python3";
const pyzmq = gate(
  "benchmark load test with pyzmq",
  await hasPyzmq(PYTHON) ? { ok: true, reason: "pyzmq" } : {
    ok: false,
    reason: `${PYTHON} has no pyzmq (apt-get install python3-zmq)`,
  },
);

async function checkLoad(clients: LoadClients, python?: string) {
  const echo = await startEcho(python);
  try {
    const ok = await runLoad(echo, "echo", {
      clients: 3,
      bodies: [{ type: "ping" }, { type: "ping", n: 1 }],
      requests: 30,
      warmup: 2,
    }, clients);
    assert.equal(ok.requests, 30);
    assert.equal(ok.clients, 3);
    assert.equal(ok.errors, 0);
    assert.ok(ok.p50 > 0 && ok.p50 <= ok.p99 && ok.p99 <= ok.max);
    assert.ok(ok.clientCpuSeconds! >= 0);
    assert.ok(ok.serviceCpuSeconds! >= 0);
    assert.equal(ok.client, clients.kind);
    // The echo sends back an "error" member: each reply counts as one.
    const failing = await runLoad(echo, "echo", {
      clients: 2,
      bodies: [{ error: "Invalid request type" }],
      requests: 8,
    }, clients);
    assert.equal(failing.requests, 8);
    assert.equal(failing.errors, 8);
  } finally {
    await echo.stop();
  }
}

Deno.test({
  name: "pyzmq load clients answer every request and count errors",
  ignore: pyzmq.ignore,
  async fn() {
    pyzmq.assertRunnable();
    await checkLoad(
      { kind: "pyzmq", python: PYTHON, ticksPerSecond: await clockTicks() },
      PYTHON,
    );
  },
});

Deno.test("Deno FFI load clients answer every request and count errors", async () => {
  await checkLoad({ kind: "deno", ticksPerSecond: await clockTicks() });
});
