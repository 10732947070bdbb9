// The broker's guards (issue 16): its backend admits only instances that
// prove who they are (CURVE with an allow list of instance keys, each
// instance checking the broker's key; or a private ipc:// folder), and
// refuses to start otherwise; its frontend caps frames at the instances' own cap, so
// that one oversize message cannot cut an instance off; an instance that
// lost its broker connects again, and its /healthz says 503 meanwhile.

import assert from "node:assert/strict";
import { KeyServiceClient } from "../../lib/client/mod.ts";
import { ReplyTimeout, ReqClient } from "../../lib/zmq/client.ts";
import { runBroker, startBroker } from "../_helpers/cli.ts";
import {
  cliKeyPair,
  logged,
  withTempDir,
  writePrivate,
} from "../_helpers/curve.ts";
import {
  curveBroker,
  curveInstance,
  health,
  keyFiles,
} from "../_helpers/broker.ts";
import { gauge } from "../_helpers/metrics.ts";
import { Peer } from "../_helpers/peer.ts";
import {
  type RunningService,
  runService,
  startService,
  testLibzmq,
} from "../_helpers/service.ts";
import { logLines, waitFor } from "../_helpers/wait.ts";

/** Requests an instance answered, by its log (`--log-level debug`). */
function answered(instance: RunningService): number {
  return logLines(instance, / DEBUG request type=/).length;
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
    // CURVE without a list of instance keys authenticates no instance: the
    // broker's public key is no secret.
    const unlisted = await runBroker([
      ...front,
      "--backend",
      "tcp://127.0.0.1:*",
      "--backend-curve-secret-key-file",
      `${dir}/front`,
    ]);
    assert.equal(unlisted.code, 1, unlisted.stderr);
    assert.match(
      unlisted.stderr,
      /with CURVE but no allow list of instance keys: .*--backend-curve-allow/,
    );
    // An instance off loopback must speak CURVE to its broker likewise.
    const instance = await runService(["--connect", "tcp://10.0.0.5:5556"]);
    assert.equal(instance.code, 1, instance.stderr);
    assert.match(
      instance.stderr,
      /refusing to connect to tcp:\/\/10\.0\.0\.5:5556 without CURVE/,
    );
    // The old shape, the instance a CURVE server of the broker, is refused.
    const oldShape = await runService([
      "--connect",
      "tcp://127.0.0.1:5556",
      "--curve-secret-key-file",
      `${dir}/front`,
    ]);
    assert.equal(oldShape.code, 2, oldShape.stderr);
    assert.match(oldShape.stderr, /--broker-curve-server-key-file/);
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

/** The broker's (throttled) refusal of `key` on its backend. */
function refusedOnBackend(key: string): RegExp {
  return new RegExp(
    `WARN auth-refused side=backend client_key=${
      RegExp.escape(logged(key))
    } address=`,
  );
}

Deno.test("broker: with CURVE on the backend, only listed instances serve; an unlisted instance, a peer with the right broker key but an unlisted one, a plain DEALER and an instance with a wrong broker key get nothing", async () => {
  await withTempDir(async (dir) => {
    const keys = await keyFiles(dir, [
      "broker",
      "listed",
      "unlisted",
      "stranger",
      "wrong",
      "impostor",
    ]);
    // The wrong-key instance's own key is listed: only its check of the
    // broker's key keeps it out.
    const allow = await writePrivate(
      `${dir}/instances.allow`,
      `${keys.listed.public}\n${keys.wrong.public}\n`,
    );
    const broker = await curveBroker(keys.broker, allow, "tcp://127.0.0.1:*", [
      "--metrics",
      "127.0.0.1:0",
    ]);
    const brokerKey = keys.broker.public;
    assert.ok(broker.stderr().includes(` backend_key=${logged(brokerKey)}`));
    const plain = Peer.connect(broker.backend);
    const stranger = Peer.connect(broker.backend, {
      curveClient: {
        serverKey: brokerKey,
        publicKey: keys.stranger.public,
        secretKey: keys.stranger.secret,
      },
    });
    // Refusals are logged a line a second: the stranger's (it tries once)
    // comes first, before the instances' retries share the line.
    assert.equal(await plain.connected(10_000), true);
    assert.equal(await stranger.connected(10_000), true);
    await waitFor(
      () => refusedOnBackend(keys.stranger.public).test(broker.stderr()),
      { what: "the broker's refusal of the stranger", explain: broker.stderr },
    );
    const listed = await curveInstance(broker.backend, keys.listed, brokerKey);
    const unlisted = await curveInstance(
      broker.backend,
      keys.unlisted,
      brokerKey,
    );
    const wrong = await curveInstance(
      broker.backend,
      keys.wrong,
      keys.impostor.public,
    );
    const client = frontendClient(broker.frontend);
    try {
      await waitFor(
        () => refusedOnBackend(keys.unlisted.public).test(broker.stderr()),
        {
          what: "the broker's refusal of the unlisted instance",
          explain: broker.stderr,
        },
      );
      await waitFor(() => / WARN broker-refused /.test(unlisted.stderr()), {
        what: "the unlisted instance's broker-refused line",
        explain: unlisted.stderr,
      });
      await waitFor(
        () => / WARN broker-handshake-failed /.test(wrong.stderr()),
        {
          what: "the wrong-key instance's failed handshake",
          explain: wrong.stderr,
        },
      );
      assert.match(broker.stderr(), / WARN handshake-failed side=backend /);
      const requests = 12;
      for (let n = 0; n < requests; n++) {
        assert.equal((await client.ping()).status, "ok");
      }
      await waitFor(() => answered(listed) === requests, {
        what: `the listed instance's log of ${requests} requests`,
        explain: listed.stderr,
      });
      assert.equal(answered(unlisted), 0);
      assert.equal(answered(wrong), 0);
      assert.deepEqual(plain.drain(), []);
      assert.deepEqual(stranger.drain(), []);
      assert.equal(await health(listed), "200 ok");
      assert.equal(await health(unlisted), "503 no broker");
      assert.equal(await health(wrong), "503 no broker");
      assert.doesNotMatch(wrong.stderr(), / INFO broker-connected /);
      assert.doesNotMatch(unlisted.stderr(), / INFO broker-connected /);
      // Among all those refused handshakes, one instance joined, and it is
      // the listed one.
      assert.equal(
        await gauge(broker, "keyservice_broker_instances_connected"),
        1,
      );
      const joins = logLines(broker, / INFO instance-(joined|left) /);
      assert.equal(joins.length, 1, broker.stderr());
      assert.match(
        joins[0],
        new RegExp(
          `instance-joined instance_key=${
            RegExp.escape(logged(keys.listed.public))
          } `,
        ),
      );
    } finally {
      client.close();
      plain.close();
      stranger.close();
      await Promise.all([listed, unlisted, wrong].map((i) => i.shutDown()));
      assert.equal(await broker.stop(), 0, broker.stderr());
    }
  });
});

Deno.test("broker: taking one instance's key off the allow list (and restarting the broker) revokes that instance alone", async () => {
  await withTempDir(async (dir) => {
    const keys = await keyFiles(dir, ["broker", "a", "b"]);
    const allow = `${dir}/instances.allow`;
    await writePrivate(allow, `${keys.a.public}\n${keys.b.public}\n`);
    // The same backend address across the restart (a private folder).
    const backend = `ipc://${dir}/backend`;
    let broker = await curveBroker(keys.broker, allow, backend);
    const a = await curveInstance(backend, keys.a, keys.broker.public);
    const b = await curveInstance(backend, keys.b, keys.broker.public);
    try {
      for (const instance of [a, b]) {
        await waitFor(async () => await health(instance) === "200 ok", {
          what: "/healthz 200 once admitted",
          explain: instance.stderr,
        });
      }
      assert.equal(await broker.stop(), 0, broker.stderr());
      await writePrivate(allow, `${keys.b.public}\n`);
      broker = await curveBroker(keys.broker, allow, backend);
      await waitFor(
        () => refusedOnBackend(keys.a.public).test(broker.stderr()),
        { what: "the broker's refusal of A", explain: broker.stderr },
      );
      await waitFor(async () => await health(b) === "200 ok", {
        what: "B admitted again",
        explain: b.stderr,
      });
      const before = { a: answered(a), b: answered(b) };
      const client = frontendClient(broker.frontend);
      const requests = 8;
      try {
        for (let n = 0; n < requests; n++) {
          assert.equal((await client.ping()).status, "ok");
        }
      } finally {
        client.close();
      }
      await waitFor(() => answered(b) === before.b + requests, {
        what: `B's log of ${requests} more requests`,
        explain: b.stderr,
      });
      assert.equal(answered(a), before.a);
      assert.equal(await health(a), "503 no broker");
      assert.doesNotMatch(broker.stderr(), refusedOnBackend(keys.b.public));
    } finally {
      await Promise.all([a.shutDown(), b.shutDown()]);
      await broker.stop();
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
