// Stop signals: the first drains, an echo within the window is ignored, a
// later one forces the exit.

import assert from "node:assert/strict";
import { stopSignalFilter } from "../../../lib/runtime/signals.ts";

function recorder(clock: { now: number }) {
  const calls: string[] = [];
  const filter = stopSignalFilter(
    {
      stop: (signal) => calls.push(`stop ${signal}`),
      force: (signal) => calls.push(`force ${signal}`),
    },
    1000,
    () => clock.now,
  );
  return { calls, filter };
}

Deno.test("the first signal stops gracefully", () => {
  const clock = { now: 5000 };
  const { calls, filter } = recorder(clock);
  filter("SIGTERM");
  assert.deepEqual(calls, ["stop SIGTERM"]);
});

Deno.test("a repeat within the echo window is ignored", () => {
  const clock = { now: 5000 };
  const { calls, filter } = recorder(clock);
  filter("SIGINT");
  clock.now = 5999;
  filter("SIGINT");
  filter("SIGTERM");
  assert.deepEqual(calls, ["stop SIGINT"]);
});

Deno.test("a signal after the echo window forces the stop, every time", () => {
  const clock = { now: 5000 };
  const { calls, filter } = recorder(clock);
  filter("SIGINT");
  clock.now = 6000;
  filter("SIGINT");
  clock.now = 9000;
  filter("SIGTERM");
  assert.deepEqual(calls, ["stop SIGINT", "force SIGINT", "force SIGTERM"]);
});
