// The hand-off between the socket thread and a request thread, measured
// both ways issue 18 names, for docs/architecture-threads.md: (post) a Deno
// Worker message with a transferred ArrayBuffer each way, the socket thread
// parked in zmq_poll and woken through its inproc pipe, as RouterServer is;
// (zmq) an inproc ROUTER on the socket thread and a DEALER owned by the
// worker in the same libzmq context, the worker blocked in zmq_recv
// (zmq-poll: the worker waits in a nonblocking zmq_poll instead, so that its
// event loop stays free for promises). Each mode: round trips of a 300-byte
// message, one at a time, then 4 in flight.
//
//   deno run -A scripts/threads_probe.ts [ROUNDS]

import { loadLibzmq } from "../lib/zmq/libzmq.ts";

const ROUNDS = Number(Deno.args[0] ?? 20000);
const lib = loadLibzmq();
const EXTRA = {
  zmq_ctx_new: { parameters: [], result: "pointer" },
  zmq_socket: { parameters: ["pointer", "i32"], result: "pointer" },
  zmq_bind: { parameters: ["pointer", "buffer"], result: "i32" },
  zmq_connect: { parameters: ["pointer", "buffer"], result: "i32" },
  zmq_send: {
    parameters: ["pointer", "buffer", "usize", "i32"],
    result: "i32",
  },
  zmq_recv: {
    parameters: ["pointer", "buffer", "usize", "i32"],
    result: "i32",
  },
  zmq_poll: {
    parameters: ["buffer", "i32", "i64"],
    result: "i32",
    nonblocking: true,
  },
  zmq_poll_now: {
    name: "zmq_poll",
    parameters: ["buffer", "i32", "i64"],
    result: "i32",
  },
  zmq_setsockopt: {
    parameters: ["pointer", "i32", "buffer", "usize"],
    result: "i32",
  },
} as const;
const zmq = Deno.dlopen(lib.path, EXTRA).symbols;
const c = (s: string) => new TextEncoder().encode(s + "\0");
const ROUTER = 6, PULL = 7, PUSH = 8, DONTWAIT = 1, SNDMORE = 2;
const ctx = zmq.zmq_ctx_new();

function pollItems(sockets: Deno.PointerValue[]): Uint8Array {
  const items = new Uint8Array(16 * sockets.length);
  const view = new DataView(items.buffer);
  sockets.forEach((s, i) => {
    view.setBigUint64(i * 16, BigInt(Deno.UnsafePointer.value(s)), true);
    view.setInt16(i * 16 + 12, 1, true);
  });
  return items;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function report(mode: string, inflight: number, times: number[], wall: number) {
  times.sort((a, b) => a - b);
  console.log(
    `${mode.padEnd(9)} in-flight=${inflight} rate=${
      Math.round(times.length / wall * 1000)
    }/s p50=${percentile(times, 0.5).toFixed(3)}ms p99=${
      percentile(times, 0.99).toFixed(3)
    }ms`,
  );
}

const body = new Uint8Array(300).fill(120);

async function postMode(inflight: number) {
  const worker = new Worker(
    new URL("./_threads_probe_worker.ts", import.meta.url),
    { type: "module" },
  );
  worker.postMessage({ mode: "post" });
  const pull = zmq.zmq_socket(ctx, PULL)!;
  const push = zmq.zmq_socket(ctx, PUSH)!;
  const pipe = c(`inproc://probe-wake-${inflight}`);
  zmq.zmq_bind(pull, pipe);
  zmq.zmq_connect(push, pipe);
  const items = pollItems([pull]);
  const scratch = new Uint8Array(8);
  let polling = false, woken = false;
  const done: number[] = [];
  worker.onmessage = ({ data }) => {
    done.push(data.id);
    if (polling && !woken) {
      woken = true;
      zmq.zmq_send(push, scratch, 0n, DONTWAIT);
    }
  };
  const times: number[] = [];
  const sentAt = new Map<number, number>();
  let next = 0;
  const send = () => {
    const copy = body.slice();
    sentAt.set(next, performance.now());
    worker.postMessage({ id: next++, body: copy }, [copy.buffer]);
  };
  const started = performance.now();
  for (let i = 0; i < inflight; i++) send();
  while (times.length < ROUNDS) {
    if (done.length === 0) {
      polling = true;
      woken = false;
      await zmq.zmq_poll(items, 1, -1n);
      polling = false;
      while (zmq.zmq_recv(pull, scratch, 8n, DONTWAIT) >= 0) { /* drain */ }
    }
    for (const id of done.splice(0)) {
      times.push(performance.now() - sentAt.get(id)!);
      sentAt.delete(id);
      if (next < ROUNDS + inflight) send();
    }
  }
  report("post", inflight, times, performance.now() - started);
  worker.terminate();
}

async function zmqMode(inflight: number, mode: "zmq" | "zmq-poll") {
  const router = zmq.zmq_socket(ctx, ROUTER)!;
  const address = `inproc://probe-${mode}-${inflight}`;
  zmq.zmq_bind(router, c(address));
  const worker = new Worker(
    new URL("./_threads_probe_worker.ts", import.meta.url),
    { type: "module" },
  );
  worker.postMessage({
    mode,
    path: lib.path,
    context: BigInt(Deno.UnsafePointer.value(ctx)),
    address,
  });
  await new Promise((resolve) => (worker.onmessage = resolve));
  const items = pollItems([router]);
  const idBuf = new Uint8Array(256);
  let routingId = new Uint8Array(0);
  // The worker says hello first, so that the router knows its id.
  await zmq.zmq_poll(items, 1, -1n);
  const n = zmq.zmq_recv(router, idBuf, 256n, DONTWAIT);
  routingId = idBuf.slice(0, n);
  zmq.zmq_recv(router, new Uint8Array(16), 16n, DONTWAIT);
  const times: number[] = [];
  const sentAt: number[] = [];
  let next = 0;
  const reply = new Uint8Array(1024);
  const send = () => {
    sentAt[next % 1024] = performance.now();
    new DataView(body.buffer).setUint32(0, next++);
    zmq.zmq_send(router, routingId, BigInt(routingId.length), SNDMORE);
    zmq.zmq_send(router, body, BigInt(body.length), DONTWAIT);
  };
  const started = performance.now();
  for (let i = 0; i < inflight; i++) send();
  while (times.length < ROUNDS) {
    if (zmq.zmq_poll_now(items, 1, 0n) <= 0) await zmq.zmq_poll(items, 1, -1n);
    while (zmq.zmq_recv(router, idBuf, 256n, DONTWAIT) >= 0) {
      const size = zmq.zmq_recv(router, reply, 1024n, DONTWAIT);
      const id = new DataView(reply.buffer).getUint32(0);
      if (size > 0) times.push(performance.now() - sentAt[id % 1024]);
      if (next < ROUNDS + inflight) send();
    }
  }
  report(mode, inflight, times, performance.now() - started);
  worker.terminate();
}

for (const inflight of [1, 4]) {
  await postMode(inflight);
  await zmqMode(inflight, "zmq");
  await zmqMode(inflight, "zmq-poll");
}
Deno.exit(0);
