// Scale-out on loopback: `keyservice broker` with two instances started
// with --connect; four retrying clients through the broker for 10 s, one
// instance killed (SIGKILL) in the middle and started again. Every request
// is answered correctly and to its own client (each round trip carries a
// value of its own that comes back only to it); the seed client works
// through the broker untouched. Prints the split between instances, the
// requests, the retries and the longest wait.

import assert from "node:assert/strict";
import { HandshakeRefused, KeyServiceClient } from "../../lib/client/mod.ts";
import { startBroker } from "../_helpers/cli.ts";
import { cliKeyPair, withTempDir, writePrivate } from "../_helpers/curve.ts";
import { interopGate, python } from "../_helpers/python.ts";
import {
  type RunningService,
  startService,
  testLibzmq,
} from "../_helpers/service.ts";
import { logLines } from "../_helpers/wait.ts";

const RUN_MS = 10_000;
const KILL_AT_MS = 4_000;
const CLIENTS = 4;

/** Requests an instance answered, by its log. */
function answered(instance: RunningService): number {
  return logLines(instance, / DEBUG request type=/).length;
}

/** What one client did. */
interface Tally {
  requests: number;
  retries: number;
  longestMs: number;
}

/** Round trips until `stopAt`: wrap a value of its own, unwrap it, compare. */
async function clientLoop(
  frontend: string,
  id: number,
  keys: { public: string; private: string },
  stopAt: number,
): Promise<Tally> {
  const tally: Tally = { requests: 0, retries: 0, longestMs: 0 };
  const client = new KeyServiceClient({
    endpoints: frontend,
    libzmq: testLibzmq(),
    timeoutMs: 1000,
    retries: 20,
    onRetry: () => tally.retries++,
  });
  const timed = async <T>(call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await call();
    tally.longestMs = Math.max(tally.longestMs, performance.now() - started);
    tally.requests++;
    return result;
  };
  try {
    for (let n = 0; performance.now() < stopAt; n++) {
      const mine = `client-${id}-request-${n}`;
      const wrapped = await timed(() =>
        client.encryptFernet(mine, keys.public)
      );
      const back = await timed(() =>
        client.decryptFernet(wrapped, keys.private)
      );
      assert.equal(back, mine, `client ${id} got another request's answer`);
    }
  } finally {
    client.close();
  }
  return tally;
}

Deno.test("scale-out: a broker, two instances, one killed and restarted under load; every request answered", async () => {
  const pythonGate = await interopGate("seed client through the broker");
  const broker = await startBroker();
  const connect = ["--connect", broker.backend, "--log-level", "debug"];
  const a = await startService(connect, {}, { direct: true });
  const b = await startService(connect, {}, { direct: true });
  let restarted: RunningService | undefined;
  try {
    const setup = new KeyServiceClient({
      endpoints: broker.frontend,
      libzmq: testLibzmq(),
    });
    const keys = (await setup.generateKeys()).rsa;
    setup.close();
    const started = performance.now();
    const loops = Array.from(
      { length: CLIENTS },
      (_, id) => clientLoop(broker.frontend, id, keys, started + RUN_MS),
    );
    await new Promise((resolve) => setTimeout(resolve, KILL_AT_MS));
    a.signal("SIGKILL");
    await a.exited;
    const killedAt = performance.now() - started;
    restarted = await startService(connect, {}, { direct: true });
    const restartedAt = performance.now() - started;
    const tallies = await Promise.all(loops);

    const split = [answered(a), answered(b), answered(restarted)];
    const requests = tallies.reduce((sum, t) => sum + t.requests, 0);
    const retries = tallies.reduce((sum, t) => sum + t.retries, 0);
    const longest = Math.max(...tallies.map((t) => t.longestMs));
    console.log(
      `scale-out: ${CLIENTS} clients, ${RUN_MS / 1000} s; instance A killed ` +
        `at ${(killedAt / 1000).toFixed(1)} s, restarted (A') by ` +
        `${(restartedAt / 1000).toFixed(1)} s\n` +
        `  requests answered correctly: ${requests} ` +
        `(${tallies.map((t) => t.requests).join(" + ")})\n` +
        `  retries: ${retries}; longest wait: ${longest.toFixed(0)} ms\n` +
        `  split: A ${split[0]}, B ${split[1]}, A' ${split[2]} ` +
        `(logged replies; A's last ones may have died with it)`,
    );
    // Each instance took part: B throughout, A until killed, A' after.
    assert.ok(split.every((n) => n > 0), `split ${split}`);

    if (pythonGate.ok) {
      const seed = await python([
        "tests/interop/python/seed_client.py",
        broker.frontend,
        "--no-timing",
      ]);
      assert.equal(seed.code, 0, seed.stdout + seed.stderr);
      assert.match(seed.stdout, /ALL OK/);
    } else if (!pythonGate.ignore) pythonGate.assertRunnable();
  } finally {
    await a.shutDown();
    await b.shutDown();
    await restarted?.shutDown();
    assert.equal(await broker.stop(), 0, broker.stderr());
  }
});

Deno.test("scale-out: CURVE on both sides of the broker, an allow list on each", async () => {
  await withTempDir(async (dir) => {
    const front = await cliKeyPair(); // the broker, to clients
    const back = await cliKeyPair(); // the broker, to instances
    const instance = await cliKeyPair(); // the instance's own
    const client = await cliKeyPair();
    const file = (name: string, text: string) =>
      writePrivate(`${dir}/${name}`, text);
    const broker = await startBroker([
      "--frontend-curve-secret-key-file",
      await file("front", front.text),
      "--frontend-curve-allow",
      await file("front.allow", `${client.public}\n`),
      "--backend-curve-secret-key-file",
      await file("back", back.text),
      "--backend-curve-allow",
      await file("back.allow", `${instance.public}\n`),
    ], { backend: "tcp://127.0.0.1:*" });
    const served = await startService([
      "--connect",
      broker.backend,
      "--log-level",
      "debug",
      "--curve-secret-key-file",
      await file("instance", instance.text),
      "--broker-curve-server-key",
      back.public,
    ]);
    try {
      const allowed = new KeyServiceClient({
        endpoints: broker.frontend,
        libzmq: testLibzmq(),
        curve: { serverKey: front.public, secretKey: client.secret },
      });
      assert.equal((await allowed.ping()).status, "ok");
      allowed.close();
      const stranger = new KeyServiceClient({
        endpoints: broker.frontend,
        libzmq: testLibzmq(),
        curve: { serverKey: front.public },
        timeoutMs: 500,
        retries: 0,
      });
      await assert.rejects(stranger.ping(), HandshakeRefused);
      stranger.close();
      assert.equal(answered(served), 1);
    } finally {
      await served.shutDown();
      assert.equal(await broker.stop(), 0, broker.stderr());
    }
  });
});
