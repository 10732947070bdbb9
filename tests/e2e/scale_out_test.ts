// Scale-out on loopback: `keyservice broker` with two instances started
// with --connect; four retrying clients through the broker, each a fixed
// number of round trips. One instance is killed (SIGKILL) once a set number
// of requests has been answered, with the clients still sending, and
// started again; then each client makes more round trips. Asserted on
// counts, not on a window of time: every request answered, each to its own
// client (each round trip carries a value of its own that comes back only to
// it), at most one retry per client (the one request each can have had in
// flight on the killed instance), and each instance served some. The seed
// client works through the broker untouched. Prints the split between
// instances, the requests and the retries.

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
import { logLines, waitForLog } from "../_helpers/wait.ts";

const CLIENTS = 4;
/** Round trips (two requests each) per client before the restart... */
const ROUNDS_BEFORE = 20;
/** ...and after it, with the restarted instance connected. */
const ROUNDS_AFTER = 10;
/** Requests answered, all clients together, when the instance is killed. */
const KILL_AFTER = 40;

/** Requests an instance answered, by its log. */
function answered(instance: RunningService): number {
  return logLines(instance, / DEBUG request type=/).length;
}

/** Requests answered by all clients, and a wait for their count to reach n. */
class Counter {
  #count = 0;
  #waiters: { n: number; resolve: () => void }[] = [];
  get count(): number {
    return this.#count;
  }
  add(): void {
    this.#count++;
    for (const waiter of this.#waiters.filter((w) => w.n <= this.#count)) {
      waiter.resolve();
    }
    this.#waiters = this.#waiters.filter((w) => w.n > this.#count);
  }
  reached(n: number): Promise<void> {
    if (this.#count >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ n, resolve }));
  }
}

/** What one client did. */
interface Tally {
  requests: number;
  retries: number;
}

/** `rounds` round trips: wrap a value of its own, unwrap it, compare. */
async function clientRounds(
  frontend: string,
  id: number,
  keys: { public: string; private: string },
  rounds: number,
  counter: Counter,
): Promise<Tally> {
  const tally: Tally = { requests: 0, retries: 0 };
  // A timeout long enough that only a request lost with the killed instance
  // is retried, not one slow on a busy machine.
  const client = new KeyServiceClient({
    endpoints: frontend,
    libzmq: testLibzmq(),
    timeoutMs: 5000,
    retries: 3,
    onRetry: () => tally.retries++,
  });
  const counted = async <T>(call: () => Promise<T>): Promise<T> => {
    const result = await call();
    tally.requests++;
    counter.add();
    return result;
  };
  try {
    for (let n = 0; n < rounds; n++) {
      const mine = `client-${id}-request-${n}`;
      const wrapped = await counted(() =>
        client.encryptFernet(mine, keys.public)
      );
      const back = await counted(() =>
        client.decryptFernet(wrapped, keys.private)
      );
      assert.equal(back, mine, `client ${id} got another request's answer`);
    }
  } finally {
    client.close();
  }
  return tally;
}

function allClients(
  frontend: string,
  keys: { public: string; private: string },
  rounds: number,
  counter: Counter,
): Promise<Tally[]> {
  return Promise.all(
    Array.from(
      { length: CLIENTS },
      (_, id) => clientRounds(frontend, id, keys, rounds, counter),
    ),
  );
}

Deno.test("scale-out: a broker, two instances, one killed and restarted under load; every request answered", async () => {
  const pythonGate = await interopGate("seed client through the broker");
  const broker = await startBroker();
  const connect = ["--connect", broker.backend, "--log-level", "debug"];
  const a = await startService(connect, {}, { direct: true });
  const b = await startService(connect, {}, { direct: true });
  let restarted: RunningService | undefined;
  try {
    // Both joined, so that the broker shares the load from the first one.
    await Promise.all([a, b].map((s) => waitForLog(s, /broker-connected/)));
    const setup = new KeyServiceClient({
      endpoints: broker.frontend,
      libzmq: testLibzmq(),
    });
    const keys = (await setup.generateKeys()).rsa;
    setup.close();
    const counter = new Counter();
    const before = allClients(broker.frontend, keys, ROUNDS_BEFORE, counter);
    await counter.reached(KILL_AFTER);
    a.signal("SIGKILL");
    await a.exited;
    const killedAfter = counter.count;
    const tallies = await before;
    restarted = await startService(connect, {}, { direct: true });
    await waitForLog(restarted, /broker-connected/);
    tallies.push(
      ...await allClients(broker.frontend, keys, ROUNDS_AFTER, counter),
    );

    const split = [answered(a), answered(b), answered(restarted)];
    const requests = tallies.reduce((sum, t) => sum + t.requests, 0);
    const retries = tallies.reduce((sum, t) => sum + t.retries, 0);
    console.log(
      `scale-out: ${CLIENTS} clients; instance A killed after ` +
        `${killedAfter} requests answered, restarted (A') after ` +
        `${ROUNDS_BEFORE} round trips each\n` +
        `  requests answered correctly: ${requests}; retries: ${retries}\n` +
        `  split: A ${split[0]}, B ${split[1]}, A' ${split[2]} ` +
        `(logged replies; A's last ones may have died with it)`,
    );
    // Every request answered, each to its sender (asserted in the loops).
    assert.equal(requests, CLIENTS * (ROUNDS_BEFORE + ROUNDS_AFTER) * 2);
    // Retries bounded: a client has one request in flight at a time, so
    // the kill can cost each client one retry at most.
    assert.ok(retries <= CLIENTS, `${retries} retries`);
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
