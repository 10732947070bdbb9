// The client's retry loop (the Lazy Pirate) with fake sockets and a fake
// clock: a reply ends it and its socket is kept for the next request; a
// socket that timed out is closed, never reused, and the request goes to the
// next endpoint; the budget ends in TimeoutError when anything was sent and
// UnreachableError when nothing was (HandshakeRefused when an endpoint
// refused the handshake); `overloaded` is retried after a
// doubling backoff on the clock; spread and failover order the endpoints, a
// failed endpoint going last until its down time is over.

import assert from "node:assert/strict";
import {
  Pirate,
  type PirateOptions,
  type ReqSocket,
} from "../../../lib/client/_pirate.ts";
import {
  BadReply,
  HandshakeRefused,
  TimeoutError,
  UnreachableError,
} from "../../../lib/client/errors.ts";
import type { RetryEvent } from "../../../lib/client/types.ts";
import {
  HandshakeFailed,
  NotConnected,
  ReplyTimeout,
} from "../../../lib/zmq/client.ts";
import { ZmqError } from "../../../lib/zmq/errors.ts";
import { FakeTime, runMicrotasks } from "../../_helpers/fake_time.ts";
import { Aborted } from "../../../lib/client/errors.ts";

const encoder = new TextEncoder();
const BODY = encoder.encode('{"type":"ping"}');

/** What a fake socket does with one request. */
type Answer =
  | Record<string, unknown>
  | Uint8Array[]
  | "timeout"
  | "unreachable"
  | "not-allowed"
  | "zmq-error";

/** One request as a fake socket saw it. */
interface Sent {
  readonly endpoint: string;
  readonly socket: number;
}

/**
 * Fake REQ sockets: each request is answered by `answer(endpoint, n)`, n
 * counting from 0 over all requests; every socket opened and closed is
 * counted.
 */
function fakeNetwork(answer: (endpoint: string, n: number) => Answer) {
  const sent: Sent[] = [];
  const closed = new Set<number>();
  let opened = 0;
  const connect = (endpoint: string): ReqSocket => {
    const socket = opened++;
    return {
      request(_body, timeoutMs) {
        assert.ok(!closed.has(socket), "a closed socket is never used");
        const n = sent.length;
        sent.push({ endpoint, socket });
        const result = answer(endpoint, n);
        if (result === "timeout") {
          return Promise.reject(new ReplyTimeout(timeoutMs));
        }
        if (result === "unreachable") {
          return Promise.reject(new NotConnected(timeoutMs));
        }
        if (result === "not-allowed") {
          return Promise.reject(new HandshakeFailed("not_allowed"));
        }
        if (result === "zmq-error") {
          return Promise.reject(
            new ZmqError("zmq_connect", { errno: 22, message: "Invalid" }),
          );
        }
        return Promise.resolve(
          Array.isArray(result)
            ? result
            : [encoder.encode(JSON.stringify(result))],
        );
      },
      close: () => void closed.add(socket),
    };
  };
  return {
    connect,
    sent,
    closed,
    get opened() {
      return opened;
    },
  };
}

function options(overrides: Partial<PirateOptions> = {}): PirateOptions {
  return {
    endpoints: ["tcp://a:1"],
    timeoutMs: 100,
    retries: 3,
    backoffMs: 100,
    strategy: "spread",
    downMs: 5000,
    onRetry: () => {},
    maxInFlight: 16,
    idleMs: 30_000,
    ...overrides,
  };
}

/** A Pirate over endpoints a and b of `net`, and the retries it reports. */
function twoEndpoints(net: ReturnType<typeof fakeNetwork>) {
  const retries: RetryEvent[] = [];
  const pirate = new Pirate(
    net,
    options({
      endpoints: ["tcp://a:1", "tcp://b:1"],
      onRetry: (event) => retries.push(event),
    }),
  );
  return { pirate, retries };
}

const OK = { status: "ok" };
const OVERLOADED = { error: "busy", code: "overloaded" };

Deno.test("a reply ends the request, and its socket serves the next one", async () => {
  const net = fakeNetwork(() => OK);
  const pirate = new Pirate(net, options());
  assert.deepEqual(await pirate.request(BODY), OK);
  assert.deepEqual(await pirate.request(BODY), OK);
  assert.equal(net.opened, 1);
  assert.deepEqual(net.sent.map((s) => s.socket), [0, 0]);
  assert.equal(net.closed.size, 0);
  pirate.close();
  assert.deepEqual([...net.closed], [0], "close() closes the idle socket");
  await assert.rejects(pirate.request(BODY), /closed/);
});

Deno.test("after a timeout the socket is closed and the request goes to the next endpoint", async () => {
  const net = fakeNetwork((_, n) => n === 0 ? "timeout" : OK);
  const { pirate, retries } = twoEndpoints(net);
  assert.deepEqual(await pirate.request(BODY), OK);
  assert.deepEqual(net.sent, [
    { endpoint: "tcp://a:1", socket: 0 },
    { endpoint: "tcp://b:1", socket: 1 },
  ]);
  assert.ok(net.closed.has(0), "the socket that timed out is closed");
  assert.ok(!net.closed.has(1), "the one that answered is kept");
  assert.deepEqual(retries, [
    { attempt: 1, endpoint: "tcp://a:1", reason: "timeout" },
  ]);
  pirate.close();
});

Deno.test("retries 2: three sends, then TimeoutError counting them", async () => {
  const net = fakeNetwork(() => "timeout");
  const pirate = new Pirate(net, options({ retries: 2 }));
  const error = await pirate.request(BODY).then(
    () => assert.fail("resolved"),
    (error) => error,
  );
  assert.ok(error instanceof TimeoutError);
  assert.equal(error.attempts, 3);
  assert.equal(net.sent.length, 3);
  assert.equal(net.opened, 3, "a fresh socket for each attempt");
  assert.equal(net.closed.size, 3);
});

Deno.test("nothing ever sent is UnreachableError naming each endpoint once", async () => {
  const net = fakeNetwork((_, n) => n % 2 === 0 ? "unreachable" : "zmq-error");
  const pirate = new Pirate(
    net,
    options({ endpoints: ["tcp://a:1", "tcp://b:1"], retries: 3 }),
  );
  const error = await pirate.request(BODY).then(
    () => assert.fail("resolved"),
    (error) => error,
  );
  assert.ok(error instanceof UnreachableError);
  assert.deepEqual(error.endpoints, ["tcp://a:1", "tcp://b:1"]);
  assert.equal(net.sent.length, 4);
});

Deno.test("a refused handshake goes on to the next endpoint; refused everywhere reached is HandshakeRefused", async () => {
  const net = fakeNetwork((endpoint) =>
    endpoint === "tcp://a:1" ? "not-allowed" : OK
  );
  const { pirate, retries } = twoEndpoints(net);
  assert.deepEqual(await pirate.request(BODY), OK);
  assert.deepEqual(retries, [
    { attempt: 1, endpoint: "tcp://a:1", reason: "unreachable" },
  ]);
  pirate.close();

  const refusing = fakeNetwork((endpoint) =>
    endpoint === "tcp://a:1" ? "not-allowed" : "unreachable"
  );
  const both = new Pirate(
    refusing,
    options({ endpoints: ["tcp://a:1", "tcp://b:1"], retries: 3 }),
  );
  const error = await both.request(BODY).then(
    () => assert.fail("resolved"),
    (error) => error,
  );
  assert.ok(error instanceof HandshakeRefused, `${error}`);
  assert.equal(error.code, "handshake_refused");
  assert.equal(HandshakeRefused.code, "handshake_refused");
  assert.equal(error.reason, "not_allowed");
  assert.deepEqual(error.endpoints, ["tcp://a:1"]);
  assert.match(error.message, /tcp:\/\/a:1 refused the CURVE handshake/);
  assert.equal(refusing.sent.length, 4, "the retry budget is kept");
  both.close();
});

Deno.test("one send that timed out among unreachable tries is a TimeoutError of 1 attempt", async () => {
  const net = fakeNetwork((_, n) => n === 1 ? "timeout" : "unreachable");
  const pirate = new Pirate(net, options({ retries: 2 }));
  const error = await pirate.request(BODY).then(
    () => assert.fail("resolved"),
    (error) => error,
  );
  assert.ok(error instanceof TimeoutError);
  assert.equal(error.attempts, 1);
});

Deno.test("a reply that is not one frame of a JSON object is BadReply, not retried", async () => {
  for (
    const answer of [
      [encoder.encode("{}"), encoder.encode("{}")],
      [encoder.encode("not json")],
      [encoder.encode("[1]")],
    ]
  ) {
    const net = fakeNetwork(() => answer);
    const pirate = new Pirate(net, options());
    await assert.rejects(pirate.request(BODY), BadReply);
    assert.equal(net.sent.length, 1);
    assert.ok(net.closed.has(0), "its socket is closed");
  }
});

Deno.test("overloaded is retried after a doubling backoff on the clock", async () => {
  const time = new FakeTime();
  const net = fakeNetwork((_, n) => n < 3 ? OVERLOADED : OK);
  const retries: RetryEvent[] = [];
  const pirate = new Pirate(
    { connect: net.connect, clock: time, random: () => 0 },
    options({ onRetry: (event) => retries.push(event) }),
  );
  let reply: unknown;
  const request = pirate.request(BODY).then((value) => (reply = value));
  await runMicrotasks();
  assert.equal(net.sent.length, 1);
  // With no jitter, the waits are half of 100, 200 and 400 ms.
  for (const [wait, sends] of [[50, 2], [100, 3], [200, 4]]) {
    await time.tick(wait - 1);
    assert.equal(net.sent.length, sends - 1, `not before ${wait} ms`);
    await time.tick(1);
    assert.equal(net.sent.length, sends, `at ${wait} ms`);
  }
  await request;
  assert.deepEqual(reply, OK);
  assert.deepEqual(retries.map((event) => event.reason), [
    "overloaded",
    "overloaded",
    "overloaded",
  ]);
  assert.equal(net.opened, 1, "an overloaded reply keeps its socket");
  pirate.close();
});

Deno.test("the backoff's jitter takes up to half of each wait", async () => {
  const time = new FakeTime();
  const net = fakeNetwork((_, n) => n < 1 ? OVERLOADED : OK);
  const pirate = new Pirate(
    { connect: net.connect, clock: time, random: () => 0.5 },
    options({ backoffMs: 400 }),
  );
  const request = pirate.request(BODY);
  await time.tick(299); // 400 / 2 + 0.5 * 400 / 2 = 300
  assert.equal(net.sent.length, 1);
  await time.tick(1);
  assert.equal(net.sent.length, 2);
  assert.deepEqual(await request, OK);
  pirate.close();
});

Deno.test("overloaded on the last attempt is the reply", async () => {
  const time = new FakeTime();
  const net = fakeNetwork(() => OVERLOADED);
  const pirate = new Pirate(
    { connect: net.connect, clock: time, random: () => 0 },
    options({ retries: 1 }),
  );
  const request = pirate.request(BODY);
  await time.tick(50);
  assert.deepEqual(await request, OVERLOADED);
  assert.equal(net.sent.length, 2);
  pirate.close();
});

Deno.test("spread starts each request at the next endpoint in turn", async () => {
  const net = fakeNetwork(() => OK);
  const pirate = new Pirate(
    net,
    options({ endpoints: ["tcp://a:1", "tcp://b:1", "tcp://c:1"] }),
  );
  for (let i = 0; i < 4; i++) await pirate.request(BODY);
  assert.deepEqual(net.sent.map((s) => s.endpoint), [
    "tcp://a:1",
    "tcp://b:1",
    "tcp://c:1",
    "tcp://a:1",
  ]);
  pirate.close();
});

Deno.test("failover keeps to the first endpoint; one that failed goes last until its down time is over", async () => {
  const time = new FakeTime();
  let aDown = true;
  const net = fakeNetwork((endpoint) =>
    endpoint === "tcp://a:1" && aDown ? "unreachable" : OK
  );
  const pirate = new Pirate(
    { connect: net.connect, clock: time },
    options({
      endpoints: ["tcp://a:1", "tcp://b:1"],
      strategy: "failover",
      downMs: 1000,
    }),
  );
  await pirate.request(BODY); // a fails, b answers
  aDown = false;
  await pirate.request(BODY); // a is down for 1000 ms: b first
  await time.tick(999);
  await pirate.request(BODY); // still b
  await time.tick(1);
  await pirate.request(BODY); // a's down time is over
  await pirate.request(BODY); // and a answered: it stays first
  assert.deepEqual(net.sent.map((s) => s.endpoint), [
    "tcp://a:1",
    "tcp://b:1",
    "tcp://b:1",
    "tcp://b:1",
    "tcp://a:1",
    "tcp://a:1",
  ]);
  pirate.close();
});

Deno.test("past maxInFlight requests queue in order, and each is answered", async () => {
  const replies: (() => void)[] = [];
  const net = fakeNetwork(() => OK);
  const slow = (endpoint: string) => {
    const socket = net.connect(endpoint);
    return {
      request: (body: Uint8Array, timeoutMs: number) =>
        new Promise<Uint8Array[]>((done) =>
          replies.push(() => socket.request(body, timeoutMs).then(done))
        ),
      close: () => socket.close(),
    };
  };
  const pirate = new Pirate({ connect: slow }, options({ maxInFlight: 2 }));
  const all = [1, 2, 3, 4].map(() => pirate.request(BODY));
  await runMicrotasks();
  assert.equal(pirate.inFlight, 2);
  assert.equal(pirate.queued, 2);
  while (replies.length > 0) {
    replies.shift()!();
    await runMicrotasks();
  }
  assert.deepEqual(await Promise.all(all), [OK, OK, OK, OK]);
  assert.equal(net.opened, 2, "never more sockets than maxInFlight");
  pirate.close();
});

Deno.test("an idle socket is closed after idleMs on the clock, not before", async () => {
  const time = new FakeTime();
  const net = fakeNetwork(() => OK);
  const pirate = new Pirate(
    { connect: net.connect, clock: time, unref: () => {} },
    options({ idleMs: 1000 }),
  );
  await pirate.request(BODY);
  await time.tick(999);
  assert.equal(net.closed.size, 0);
  await time.tick(1);
  assert.deepEqual([...net.closed], [0]);
  pirate.close();
});

Deno.test("an abort mid-attempt rejects with Aborted at once, closes that socket and retries nothing", async () => {
  let pending!: (frames: Uint8Array[]) => void;
  let opened = 0;
  const closed: number[] = [];
  const connect = () => {
    const id = opened++;
    return {
      request: () => new Promise<Uint8Array[]>((done) => pending = done),
      close: () => closed.push(id),
    };
  };
  const pirate = new Pirate({ connect }, options({ retries: 3 }));
  const controller = new AbortController();
  const call = pirate.request(BODY, { signal: controller.signal });
  await runMicrotasks();
  controller.abort();
  await assert.rejects(call, (error) => error instanceof Aborted);
  assert.equal(opened, 1, "no retry after an abort");
  assert.deepEqual(closed, [0], "the attempt's socket is closed");
  pending([encoder.encode('{"status":"ok"}')]); // a late reply is ignored
  pirate.close();
});

Deno.test("an abort during the overloaded backoff ends the call without another send", async () => {
  const time = new FakeTime();
  const net = fakeNetwork(() => OVERLOADED);
  const pirate = new Pirate(
    { connect: net.connect, clock: time, random: () => 0 },
    options({ retries: 3 }),
  );
  const controller = new AbortController();
  const call = pirate.request(BODY, { signal: controller.signal });
  await runMicrotasks();
  assert.equal(net.sent.length, 1);
  controller.abort();
  await assert.rejects(call, (error) => error instanceof Aborted);
  await time.tick(10_000);
  assert.equal(net.sent.length, 1);
  pirate.close();
});

Deno.test("an already aborted signal sends nothing; a call's timeoutMs replaces the client's", async () => {
  const seen: number[] = [];
  const net = fakeNetwork(() => OK);
  const connect = (endpoint: string) => {
    const socket = net.connect(endpoint);
    return {
      request: (body: Uint8Array, timeoutMs: number) => {
        seen.push(timeoutMs);
        return socket.request(body, timeoutMs);
      },
      close: () => socket.close(),
    };
  };
  const pirate = new Pirate({ connect }, options({ timeoutMs: 100 }));
  await assert.rejects(
    pirate.request(BODY, { signal: AbortSignal.abort() }),
    (error) => error instanceof Aborted && error.code === "aborted",
  );
  assert.equal(net.sent.length, 0);
  await pirate.request(BODY, { timeoutMs: 250 });
  await pirate.request(BODY);
  assert.deepEqual(seen, [250, 100]);
  pirate.close();
});
