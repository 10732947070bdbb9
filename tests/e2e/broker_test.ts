// The broker's guards (issue 16): its backend admits only instances that
// prove who they are (CURVE, or a private ipc:// folder), and refuses to
// start otherwise; its frontend caps frames at the instances' own cap, so
// that one oversize message cannot cut an instance off; an instance that
// lost its broker connects again, and its /healthz says 503 meanwhile.

import assert from "node:assert/strict";
import { KeyServiceClient } from "../../lib/client/mod.ts";
import { ReplyTimeout, ReqClient } from "../../lib/zmq/client.ts";
import { runBroker, startBroker } from "../_helpers/cli.ts";
import { cliKeyPair, withTempDir, writePrivate } from "../_helpers/curve.ts";
import { Peer } from "../_helpers/peer.ts";
import {
  type RunningService,
  runService,
  startService,
  testLibzmq,
} from "../_helpers/service.ts";
import { logLines, waitFor } from "../_helpers/wait.ts";

/** Requests an instance answered, by its log. */
function answered(instance: RunningService): number {
  return logLines(instance, / INFO request type=/).length;
}

/** A client of the broker's frontend that does not retry. */
function frontendClient(frontend: string): KeyServiceClient {
  return new KeyServiceClient({
    endpoints: frontend,
    libzmq: testLibzmq(),
    timeoutMs: 5000,
    retries: 0,
  });
}

/** The instance's /healthz status and body. */
async function health(instance: RunningService): Promise<string> {
  const response = await fetch(`${instance.metrics}/healthz`);
  return `${response.status} ${(await response.text()).trim()}`;
}

Deno.test("broker: a backend that does not authenticate its instances is refused at start-up", async () => {
  const front = ["--frontend", "tcp://127.0.0.1:*"];
  // The shape the README showed: any local process could join it.
  const tcp = await runBroker([...front, "--backend", "tcp://127.0.0.1:*"]);
  assert.equal(tcp.code, 1, tcp.stderr);
  assert.match(
    tcp.stderr,
    /^keyservice: refusing the backend tcp:\/\/127\.0\.0\.1:\* without CURVE: .*--insecure-backend/,
  );
  await withTempDir(async (dir) => {
    await Deno.chmod(dir, 0o755);
    const open = await runBroker([...front, "--backend", `ipc://${dir}/b`]);
    assert.equal(open.code, 1, open.stderr);
    assert.match(open.stderr, /open to group or others/);
    const missing = await runBroker([
      ...front,
      "--backend",
      `ipc://${dir}/none/b`,
    ]);
    assert.equal(missing.code, 1, missing.stderr);
    assert.match(missing.stderr, /cannot be read/);
    const server = await cliKeyPair();
    // Off loopback, CURVE without an allow list: the service's own rule.
    const anyClient = await runBroker([
      "--frontend",
      "tcp://0.0.0.0:*",
      "--frontend-curve-secret-key-file",
      await writePrivate(`${dir}/front`, server.text),
      "--backend",
      "tcp://127.0.0.1:*",
    ]);
    assert.equal(anyClient.code, 1, anyClient.stderr);
    assert.match(anyClient.stderr, /with CURVE but no allow list/);
    // An instance off loopback must list its broker's key likewise.
    const instance = await runService([
      "--connect",
      "tcp://10.0.0.5:5556",
      "--curve-secret-key-file",
      `${dir}/front`,
    ]);
    assert.equal(instance.code, 1, instance.stderr);
    assert.match(
      instance.stderr,
      /refusing to connect to tcp:\/\/10\.0\.0\.5:5556 with CURVE but no allow list/,
    );
  });
  const abstract = await runBroker([...front, "--backend", "ipc://@ks-test"]);
  assert.equal(abstract.code, 1, abstract.stderr);
  assert.match(abstract.stderr, /an abstract socket anyone may connect to/);
  // The development override starts it, and says nothing less.
  const insecure = await startBroker(["--insecure-backend"], {
    backend: "tcp://127.0.0.1:*",
  });
  assert.equal(await insecure.stop(), 0, insecure.stderr());
});

Deno.test("broker: with CURVE on the backend, a plain DEALER and a CURVE server with another key join nothing; every request reaches the instance", async () => {
  await withTempDir(async (dir) => {
    const back = await cliKeyPair(); // the broker, to instances
    const instance = await cliKeyPair(); // the instances' shared pair
    const other = await cliKeyPair(); // a stranger's pair
    const broker = await startBroker([
      "--backend-curve-server-key",
      instance.public,
      "--backend-curve-keypair-file",
      await writePrivate(`${dir}/back`, back.text),
    ], { backend: "tcp://127.0.0.1:*" });
    const served = await startService([
      "--connect",
      broker.backend,
      "--curve-secret-key-file",
      await writePrivate(`${dir}/instance`, instance.text),
      "--curve-allow",
      await writePrivate(`${dir}/allow`, `${back.public}\n`),
    ]);
    const plain = Peer.connect(broker.backend);
    const impostor = Peer.connect(broker.backend, {
      curveServerSecret: other.secret,
    });
    const client = frontendClient(broker.frontend);
    try {
      // Both reached the port: only the handshake keeps them out.
      assert.equal(await plain.connected(10_000), true);
      assert.equal(await impostor.connected(10_000), true);
      const requests = 12;
      for (let n = 0; n < requests; n++) {
        assert.equal((await client.ping()).status, "ok");
      }
      await waitFor(() => answered(served) === requests, {
        what: `the instance's log of ${requests} requests`,
        explain: served.stderr,
      });
      assert.deepEqual(plain.drain(), []);
      assert.deepEqual(impostor.drain(), []);
    } finally {
      client.close();
      plain.close();
      impostor.close();
      await served.shutDown();
      assert.equal(await broker.stop(), 0, broker.stderr());
    }
  });
});

/** Sends one frame of `bytes` bytes through the frontend; nothing answers. */
async function sendOversize(frontend: string, bytes: number): Promise<void> {
  const req = ReqClient.connect(testLibzmq(), { endpoint: frontend });
  try {
    await assert.rejects(
      req.request(new Uint8Array(bytes).fill(0x7b), 2000),
      ReplyTimeout,
    );
  } finally {
    req.close();
  }
}

Deno.test("broker: one oversize message through the broker does not cut the instance off", async () => {
  const broker = await startBroker();
  const instance = await startService(["--connect", broker.backend]);
  const client = frontendClient(broker.frontend);
  try {
    assert.equal((await client.ping()).status, "ok");
    // Over the instances' default cap (768 KiB, the age request limit):
    // refused at the frontend.
    await sendOversize(broker.frontend, 800 * 1024);
    for (let n = 0; n < 3; n++) {
      assert.equal((await client.ping()).status, "ok");
    }
    assert.match(broker.stderr(), / max_frame_bytes=786432 /);
  } finally {
    client.close();
    await instance.shutDown();
    assert.equal(await broker.stop(), 0, broker.stderr());
  }
});

Deno.test("broker: an instance whose broker connection was cut by an oversize frame connects again", async () => {
  // A broker that lets larger frames through than the instance takes: the
  // instance's libzmq drops the connection (a protocol error) and would not
  // connect again by itself.
  const broker = await startBroker(["--max-frame-bytes", String(1024 ** 2)]);
  const instance = await startService(["--connect", broker.backend]);
  const client = new KeyServiceClient({
    endpoints: broker.frontend,
    libzmq: testLibzmq(),
    timeoutMs: 5000,
    retries: 2,
  });
  try {
    assert.equal((await client.ping()).status, "ok");
    // Under the broker's cap (1 MiB), over the instance's (768 KiB).
    await sendOversize(broker.frontend, 900 * 1024);
    assert.equal((await client.ping()).status, "ok");
    // Lost at least once (the oversize frame), and connected again after.
    await waitFor(() => {
      const lost = logLines(instance, / WARN broker-lost /).length;
      return lost >= 1 &&
        logLines(instance, / INFO broker-connected /).length === lost + 1;
    }, {
      what: "broker-lost, then broker-connected",
      explain: instance.stderr,
    });
  } finally {
    client.close();
    await instance.shutDown();
    assert.equal(await broker.stop(), 0, broker.stderr());
  }
});

Deno.test("broker: an instance's /healthz is 503 while its broker is gone, 200 once it is back", async () => {
  const dir = await Deno.makeTempDir({ prefix: "keyservice-broker-" });
  const backend = `ipc://${dir}/backend`;
  let broker = await startBroker([], { backend });
  const instance = await startService([
    "--connect",
    backend,
    "--metrics",
    "127.0.0.1:0",
  ]);
  try {
    await waitFor(async () => await health(instance) === "200 ok", {
      what: "/healthz 200 once connected",
    });
    assert.equal(await broker.stop(), 0, broker.stderr());
    await waitFor(async () => await health(instance) === "503 no broker", {
      what: "/healthz 503 with the broker gone",
    });
    broker = await startBroker([], { backend });
    await waitFor(async () => await health(instance) === "200 ok", {
      what: "/healthz 200 with the broker back",
    });
    const client = frontendClient(broker.frontend);
    try {
      assert.equal((await client.ping()).status, "ok");
    } finally {
      client.close();
    }
  } finally {
    await instance.shutDown();
    await broker.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
