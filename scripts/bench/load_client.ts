/**
 * The benchmark's load client on Deno's FFI, for machines where Python has
 * no pyzmq; the same protocol as load_client.py: one JSON spec line on
 * stdin, "ready" after the warm-up, a "go" line, then one JSON line of
 * results (latencies, errors, its own CPU time from process.cpuUsage()).
 *
 * Lean on purpose, as pyzmq's loop is: a REQ socket, `zmq_send`, then a
 * blocking `zmq_msg_recv` on this thread (`ZMQ_RCVTIMEO` the spec's
 * timeout). The project's `ReqClient` waits on Deno's poll thread so that
 * its event loop stays free, which costs a thread hop a reply; on a machine
 * whose cores the load clients share with the service that cost came out
 * of the service's share (on 16 cores the clients took 3 of them).
 *
 * @example
 * ```sh
 * deno run --allow-env --allow-read --allow-ffi scripts/bench/load_client.ts < spec
 * ```
 * @module
 */

import { loadLibzmq } from "../../lib/zmq/libzmq.ts";
import {
  cstring,
  ZMQ_LINGER,
  ZMQ_RCVTIMEO,
  ZMQ_REQ,
} from "../../lib/zmq/_ffi.ts";
import {
  MessageReader,
  sendMessage,
  setIntOption,
} from "../../lib/zmq/_socket.ts";
import process from "node:process";

interface Spec {
  endpoint: string;
  bodies: string[];
  requests?: number;
  seconds?: number;
  gap_ms?: number;
  warmup?: number;
  timeout_ms?: number;
}

/** This process's CPU time (user + system), in seconds. */
function cpu(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** Runs one client, reading its spec and "go" from `lines`. */
export async function runClient(
  lines: AsyncIterator<string>,
): Promise<void> {
  const encoder = new TextEncoder();
  const spec = JSON.parse((await lines.next()).value) as Spec;
  const bodies = spec.bodies.map((body) => encoder.encode(body));
  const pick = () => bodies[Math.floor(Math.random() * bodies.length)];
  const timeout = spec.timeout_ms ?? 120_000;
  const zmq = loadLibzmq().symbols;
  const context = zmq.zmq_ctx_new();
  const socket = zmq.zmq_socket(context, ZMQ_REQ);
  setIntOption(zmq, socket, ZMQ_LINGER, 0);
  setIntOption(zmq, socket, ZMQ_RCVTIMEO, timeout);
  if (zmq.zmq_connect(socket, cstring(spec.endpoint)) !== 0) {
    throw new Error(`cannot connect to ${spec.endpoint}`);
  }
  const reader = new MessageReader(zmq);
  /** One round trip on this thread; throws when no reply came in time. */
  const request = (body: Uint8Array): Uint8Array => {
    if (!sendMessage(zmq, socket, [body])) throw new Error("send failed");
    const reply = reader.read(socket, 1, true);
    if (reply === null) throw new Error("timed out");
    return reply[0];
  };
  const decoder = new TextDecoder();
  try {
    for (let i = 0; i < (spec.warmup ?? 0); i++) request(pick());
    console.log("ready");
    await lines.next();
    const latencies: number[] = [];
    let errors = 0;
    let timedOut = false;
    const cpu0 = cpu();
    const started = performance.now();
    const deadline = spec.seconds ? started + spec.seconds * 1000 : Infinity;
    while (
      (spec.requests === undefined || latencies.length < spec.requests) &&
      performance.now() < deadline
    ) {
      const t0 = performance.now();
      let reply: Uint8Array;
      try {
        reply = request(pick());
      } catch {
        errors++;
        timedOut = true;
        break;
      }
      latencies.push(performance.now() - t0);
      if ("error" in JSON.parse(decoder.decode(reply))) errors++;
      if (spec.gap_ms) await new Promise((r) => setTimeout(r, spec.gap_ms));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = cpu() - cpu0;
    console.log(JSON.stringify({
      latencies_ms: latencies,
      errors,
      timed_out: timedOut,
      seconds,
      cpu_seconds: cpuSeconds,
    }));
  } finally {
    zmq.zmq_close(socket);
    zmq.zmq_ctx_term(context);
  }
}

async function* stdinLines(): AsyncGenerator<string> {
  let buffered = "";
  for await (
    const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())
  ) {
    buffered += chunk;
    let at;
    while ((at = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
    }
  }
  if (buffered !== "") yield buffered;
}

if (import.meta.main) await runClient(stdinLines());
