// The service's life cycle under load, end to end: clients that vanish
// before their reply, the drain deadline on SIGTERM, a second signal that
// stops at once, and the echo of a signal that must not.

import assert from "node:assert/strict";
import { ReplyTimeout, type ReqClient } from "../../lib/zmq/client.ts";
import {
  jsonBytes,
  parseReply,
  type RunningService,
  startService,
} from "../_helpers/service.ts";

const GENERATE = jsonBytes({ type: "generate_keys" });
const PING = jsonBytes({ type: "ping" });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `signal` to the service (`deno task`, which forwards it). */
function signal(service: RunningService, name: Deno.Signal): void {
  try {
    Deno.kill(service.pid, name);
  } catch {
    // already gone
  }
}

/** Resolves to the exit code, or to undefined after `ms`. */
async function exitWithin(
  service: RunningService,
  ms: number,
): Promise<number | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      service.exited,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until the service has logged `count` lines matching `pattern`. */
async function waitForLines(
  service: RunningService,
  pattern: RegExp,
  count: number,
  ms = 20_000,
): Promise<void> {
  const deadline = performance.now() + ms;
  const lines = () =>
    service.stderr().split("\n").filter((line) => pattern.test(line)).length;
  while (lines() < count) {
    if (performance.now() > deadline) {
      assert.fail(
        `${lines()} of ${count} lines matching ${pattern}:\n${service.stderr()}`,
      );
    }
    await sleep(50);
  }
}

/**
 * How long a flood's clients wait for their replies. Deno runs at most 32
 * FFI polls at once (its blocking thread pool), so 100 clients wait in
 * turns: keep this short, or a flood takes minutes to settle.
 */
const FLOOD_TIMEOUT_MS = 1500;

/** `n` clients, each with one generate_keys in flight. */
interface Flood {
  /** Settles when every request has a reply or has timed out. */
  readonly settled: Promise<{ replies: number; failures: number }>;
}

/**
 * Fires one generate_keys from each of `n` new clients, not awaited; each
 * client is closed once its request settles (a reply or `timeoutMs`).
 */
function flood(service: RunningService, n: number, timeoutMs: number): Flood {
  const clients: ReqClient[] = [];
  for (let i = 0; i < n; i++) clients.push(service.client());
  const settled = Promise.allSettled(
    clients.map((client) => client.request(GENERATE, timeoutMs)),
  ).then((results) => {
    for (const client of clients) client.close();
    const replies = results.filter((r) => r.status === "fulfilled").length;
    return { replies, failures: results.length - replies };
  });
  return { settled };
}

/**
 * Stops the service if a failed test left it running: SIGTERM, then a
 * second one past the echo window, which stops it at once. (SIGKILL would
 * reach only `deno task`, and leave the service itself running.)
 */
async function cleanUp(service: RunningService): Promise<void> {
  if ((await exitWithin(service, 0)) !== undefined) return;
  signal(service, "SIGTERM");
  if ((await exitWithin(service, 1200)) !== undefined) return;
  signal(service, "SIGTERM");
  await service.exited;
}

Deno.test("a client that vanishes before its reply costs nothing", async () => {
  const service = await startService(["--pool-size", "0"]);
  try {
    // Each client is served once (so it is connected), then sends
    // generate_keys and is gone 20 ms later, long before a 2048-bit key.
    const vanishing = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const client = service.client();
        try {
          assert.equal(parseReply(await client.request(PING)).status, "ok");
          await client.request(GENERATE, 20);
          return false; // answered within 20 ms after all
        } catch (error) {
          if (error instanceof ReplyTimeout) return true;
          throw error;
        } finally {
          client.close();
        }
      }),
    );
    const vanished = vanishing.filter((gone) => gone).length;
    assert.ok(vanished >= 1, "every generate_keys beat the client's exit");
    // The service generated the keys and answered into the void.
    await waitForLines(service, / INFO request type=generate_keys code=ok /, 5);
    // Other clients are served, and nothing is left in flight.
    for (let i = 0; i < 5; i++) {
      const ping = await service.request({ type: "ping" });
      assert.equal(ping.status, "ok");
      assert.equal(ping.in_flight, 0, JSON.stringify(ping));
    }
    const code = await service.stop("SIGTERM");
    assert.equal(code, 0, service.stderr());
    assert.match(service.stderr(), /stopping signal=SIGTERM in_flight=0/);
    assert.ok(!/ (ERROR|WARN) /.test(service.stderr()), service.stderr());
  } finally {
    await cleanUp(service);
  }
});

Deno.test("SIGTERM with a flood in flight: exit 0 once the drain deadline passes", async () => {
  const service = await startService([
    "--pool-size",
    "0",
    "--drain-seconds",
    "1",
    "--max-inflight",
    "512",
  ]);
  let requests: Flood | undefined;
  try {
    requests = flood(service, 100, FLOOD_TIMEOUT_MS);
    await sleep(300);
    const signalled = performance.now();
    signal(service, "SIGTERM");
    const code = await exitWithin(service, 10_000);
    const seconds = (performance.now() - signalled) / 1000;
    assert.notEqual(code, undefined, `still running:\n${service.stderr()}`);
    assert.equal(code, 0, service.stderr());
    assert.match(
      service.stderr(),
      /INFO stopping signal=SIGTERM in_flight=\d+/,
    );
    assert.match(service.stderr(), /INFO stopped/);
    assert.ok(!/stopping-now/.test(service.stderr()));
    const { replies, failures } = await requests.settled;
    console.log(
      `exited ${seconds.toFixed(1)} s after SIGTERM (drain 1 s); ` +
        `${replies} replies, ${failures} abandoned`,
    );
  } finally {
    await cleanUp(service);
    await requests?.settled;
  }
});

Deno.test("a second signal a second or more later stops at once with exit 1", async () => {
  const service = await startService([
    "--pool-size",
    "0",
    "--drain-seconds",
    "60",
    "--max-inflight",
    "512",
  ]);
  let requests: Flood | undefined;
  try {
    requests = flood(service, 100, FLOOD_TIMEOUT_MS);
    await sleep(300);
    const signalled = performance.now();
    signal(service, "SIGTERM");
    await sleep(1300);
    assert.equal(
      await exitWithin(service, 0),
      undefined,
      `exited before the second signal (the flood was answered in time):\n${service.stderr()}`,
    );
    signal(service, "SIGTERM");
    const code = await exitWithin(service, 15_000);
    const seconds = (performance.now() - signalled) / 1000;
    assert.notEqual(code, undefined, `still running:\n${service.stderr()}`);
    assert.equal(code, 1, service.stderr());
    assert.ok(seconds < 30, `took ${seconds} s`);
    assert.match(service.stderr(), /INFO stopping signal=SIGTERM /);
    assert.match(
      service.stderr(),
      /WARN stopping-now signal=SIGTERM abandoned=\d+/,
    );
    assert.ok(!/INFO stopped/.test(service.stderr()));
  } finally {
    await cleanUp(service);
    await requests?.settled;
  }
});

Deno.test("a repeat of the signal within a second does not cut the drain", async () => {
  const service = await startService(["--pool-size", "0"]);
  const client = service.client();
  try {
    const pending = client.request(GENERATE, 30_000);
    // Let the request reach the service, then signal twice, 10 ms apart:
    // what a terminal's Ctrl-C does under `deno task`.
    await sleep(40);
    signal(service, "SIGINT");
    await sleep(10);
    signal(service, "SIGINT");
    const reply = parseReply(await pending);
    assert.match(String(reply.fernet), /^[A-Za-z0-9_-]{43}=$/);
    const code = await exitWithin(service, 20_000);
    assert.equal(code, 0, service.stderr());
    const stopping = service.stderr().split("\n").filter((line) =>
      / stopping/.test(line)
    );
    assert.equal(stopping.length, 1, service.stderr());
    assert.match(stopping[0], /INFO stopping signal=SIGINT in_flight=\d/);
    assert.match(service.stderr(), /INFO stopped/);
  } finally {
    client.close();
    await cleanUp(service);
  }
});

Deno.test("a ping is answered within 1 s while 100 generate_keys are in flight", async () => {
  // SECURITY.md: "a slow request never holds up a fast one". Key generation
  // (WebCrypto) and the router's zmq_poll (a nonblocking FFI call) share
  // Deno's blocking thread pool of 32 threads; with 32 or more generations
  // under way, the router waits for a free thread before it can read or
  // answer anything.
  const service = await startService([
    "--pool-size",
    "0",
    "--max-inflight",
    "512",
    "--drain-seconds",
    "0",
  ]);
  let requests: Flood | undefined;
  try {
    const idle = service.client();
    try {
      assert.equal(parseReply(idle.requestBlocking(PING, 20_000)).status, "ok");
    } finally {
      idle.close();
    }
    requests = flood(service, 100, FLOOD_TIMEOUT_MS);
    await sleep(300);
    const latencies: number[] = [];
    for (let i = 0; i < 3; i++) {
      const client = service.client();
      try {
        const started = performance.now();
        // A blocking wait: this process's own FFI thread pool is busy with
        // the flood's clients.
        const reply = parseReply(client.requestBlocking(PING, 20_000));
        latencies.push(Math.round(performance.now() - started));
        assert.equal(reply.status, "ok");
      } finally {
        client.close();
      }
    }
    assert.ok(
      Math.max(...latencies) < 1000,
      `ping round trips under a flood of generate_keys: ${
        latencies.join(", ")
      } ms (idle: a few ms)`,
    );
    const code = await service.stop();
    assert.equal(code, 0, service.stderr());
  } finally {
    await cleanUp(service);
    await requests?.settled;
  }
});
