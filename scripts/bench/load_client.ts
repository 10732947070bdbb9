/**
 * The benchmark's load client on Deno's FFI (the project's REQ client), for
 * machines where Python has no pyzmq; the same protocol as load_client.py:
 * one JSON spec line on stdin, "ready" after the warm-up, a "go" line, then
 * one JSON line of results (latencies, errors, its own CPU time from
 * process.cpuUsage()).
 *
 * @example
 * ```sh
 * deno run --allow-env --allow-read --allow-ffi scripts/bench/load_client.ts < spec
 * ```
 * @module
 */

import { loadLibzmq } from "../../lib/zmq/libzmq.ts";
import { ReqClient } from "../../lib/zmq/client.ts";
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
  const client = ReqClient.connect(loadLibzmq(), { endpoint: spec.endpoint });
  const decoder = new TextDecoder();
  try {
    for (let i = 0; i < (spec.warmup ?? 0); i++) {
      await client.request(pick(), timeout);
    }
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
        [reply] = await client.request(pick(), timeout);
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
    client.close();
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
