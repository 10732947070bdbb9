// The process metrics under Prometheus's standard names: CPU seconds always,
// the fd gauges exactly where the process may read /proc/self/fd.

import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { registerProcessMetrics } from "../../../../lib/runtime/ops/process_metrics.ts";

/** The value of the unlabelled sample `name`, or undefined. */
function sample(text: string, name: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(" ")[1]);
}

function canRead(path: string): boolean {
  try {
    Deno.readDirSync(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("process_cpu_seconds_total counts this process's CPU time", async () => {
  const registry = new Registry();
  await registerProcessMetrics([registry]);
  const first = sample(await registry.metrics(), "process_cpu_seconds_total")!;
  assert.ok(first > 0, "a process that has run has used CPU");
  // Burn some CPU: the counter never goes back.
  let x = 0;
  for (let i = 0; i < 5e6; i++) x += i % 7;
  assert.ok(x > 0);
  const second = sample(await registry.metrics(), "process_cpu_seconds_total")!;
  assert.ok(second > first, `${second} after ${first}`);
  assert.ok(
    sample(await registry.metrics(), "process_resident_memory_bytes")! > 0,
  );
});

Deno.test("the fd gauges are there exactly where /proc/self/fd is readable", async () => {
  const registry = new Registry();
  await registerProcessMetrics([registry]);
  const text = await registry.metrics();
  const open = sample(text, "process_open_fds");
  const max = sample(text, "process_max_fds");
  if (canRead("/proc/self/fd")) {
    // stdin, stdout, stderr at least, under a limit above them.
    assert.ok(open! >= 3, text);
    assert.ok(max! > open!, text);
  } else {
    assert.equal(open, undefined, "no made-up fd count");
    assert.equal(max, undefined, "no made-up fd limit");
  }
});
