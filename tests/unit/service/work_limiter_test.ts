// WorkLimiter: at most `capacity` tasks at once, the rest in arrival order,
// and a task that fails gives its turn up like one that succeeds. Tasks here
// are held open by hand (deferred promises), so nothing depends on timing.

import assert from "node:assert/strict";
import { WorkLimiter } from "../../../lib/service/work_limiter.ts";

/** A task held open until the test settles it, reporting when it starts. */
class HeldTask<T = number> {
  readonly started = Promise.withResolvers<void>();
  readonly #done = Promise.withResolvers<T>();
  hasStarted = false;

  constructor(readonly log: string[], readonly name: string) {
    // A task failed before its turn came is handled when it runs.
    this.#done.promise.catch(() => {});
  }

  readonly task = (): Promise<T> => {
    this.hasStarted = true;
    this.log.push(`start ${this.name}`);
    this.started.resolve();
    return this.#done.promise;
  };

  resolve(value: T): void {
    this.log.push(`end ${this.name}`);
    this.#done.resolve(value);
  }

  reject(error: Error): void {
    this.log.push(`fail ${this.name}`);
    this.#done.reject(error);
  }
}

/** Tracks how many tasks run at once, and the most ever. */
function gauge() {
  let now = 0;
  let most = 0;
  return {
    wrap<T>(task: () => Promise<T>): () => Promise<T> {
      return async () => {
        now++;
        most = Math.max(most, now);
        try {
          return await task();
        } finally {
          now--;
        }
      };
    },
    get most() {
      return most;
    },
  };
}

Deno.test("with capacity 2, two of six tasks start at once and four wait", async () => {
  const limiter = new WorkLimiter(2);
  const log: string[] = [];
  const tasks = [0, 1, 2, 3, 4, 5].map((i) => new HeldTask(log, `${i}`));
  const runs = tasks.map((t) => limiter.run(t.task));
  await Promise.all([tasks[0].started.promise, tasks[1].started.promise]);
  assert.deepEqual(tasks.map((t) => t.hasStarted), [
    true,
    true,
    false,
    false,
    false,
    false,
  ]);
  assert.equal(limiter.running, 2);
  assert.equal(limiter.waiting, 4);
  tasks.forEach((t, i) => t.resolve(i));
  assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3, 4, 5]);
});

Deno.test("never more than capacity tasks run at once, for capacities 1 to 4", async () => {
  for (const capacity of [1, 2, 3, 4]) {
    const limiter = new WorkLimiter(capacity);
    const meter = gauge();
    const log: string[] = [];
    const tasks = Array.from(
      { length: 10 },
      (_, i) => new HeldTask(log, `${i}`),
    );
    const runs = tasks.map((t) => limiter.run(meter.wrap(t.task)));
    // Finish them one by one, each as soon as it has started.
    for (const [i, t] of tasks.entries()) {
      await t.started.promise;
      assert.ok(limiter.running <= capacity);
      t.resolve(i);
      await runs[i];
    }
    assert.equal(meter.most, capacity);
    assert.equal(limiter.running, 0);
    assert.equal(limiter.waiting, 0);
  }
});

Deno.test("a finished task's turn goes to the longest-waiting task", async () => {
  const limiter = new WorkLimiter(2);
  const log: string[] = [];
  const [a, b, c, d, e] = ["a", "b", "c", "d", "e"].map((n) =>
    new HeldTask(log, n)
  );
  const runs = [a, b, c, d, e].map((t) => limiter.run(t.task));
  await Promise.all([a.started.promise, b.started.promise]);
  b.resolve(2); // the second one finishes first
  await c.started.promise;
  assert.equal(d.hasStarted, false);
  assert.equal(limiter.running, 2);
  assert.equal(limiter.waiting, 2);
  a.resolve(1);
  await d.started.promise;
  assert.equal(e.hasStarted, false);
  c.resolve(3);
  await e.started.promise;
  d.resolve(4);
  e.resolve(5);
  assert.deepEqual(await Promise.all(runs), [1, 2, 3, 4, 5]);
  assert.deepEqual(log, [
    "start a",
    "start b",
    "end b",
    "start c",
    "end a",
    "start d",
    "end c",
    "start e",
    "end d",
    "end e",
  ]);
});

Deno.test("with capacity 1, tasks run one at a time in the order they were given", async () => {
  const limiter = new WorkLimiter(1);
  const order: number[] = [];
  const meter = gauge();
  const runs = Array.from(
    { length: 8 },
    (_, i) =>
      limiter.run(meter.wrap(async () => {
        order.push(i);
        await Promise.resolve();
        return i * 10;
      })),
  );
  assert.deepEqual(await Promise.all(runs), [0, 10, 20, 30, 40, 50, 60, 70]);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(meter.most, 1);
});

Deno.test("a rejected task rejects its run with the same error and frees its turn", async () => {
  const limiter = new WorkLimiter(1);
  const log: string[] = [];
  const failing = new HeldTask(log, "failing");
  const next = new HeldTask(log, "next");
  const error = new Error("task failed");
  const first = limiter.run(failing.task);
  const second = limiter.run(next.task);
  await failing.started.promise;
  assert.equal(next.hasStarted, false);
  failing.reject(error);
  await assert.rejects(first, (e) => e === error);
  await next.started.promise;
  next.resolve(7);
  assert.equal(await second, 7);
  assert.equal(limiter.running, 0);
  assert.equal(limiter.waiting, 0);
});

Deno.test("a task that throws before returning a promise also frees its turn", async () => {
  const limiter = new WorkLimiter(1);
  const error = new TypeError("thrown synchronously");
  const first = limiter.run(() => {
    throw error;
  });
  const second = limiter.run(() => Promise.resolve("ran"));
  await assert.rejects(first, (e) => e === error);
  assert.equal(await second, "ran");
  assert.equal(limiter.running, 0);
});

Deno.test("every task of a run of failures frees its turn: all settle, in order", async () => {
  const limiter = new WorkLimiter(2);
  const settled: string[] = [];
  const runs = Array.from(
    { length: 6 },
    (_, i) =>
      limiter.run(() =>
        i % 2 === 0 ? Promise.reject(new Error(`${i}`)) : Promise.resolve(i)
      ).then(
        (value) => settled.push(`ok ${value}`),
        (error: Error) => settled.push(`failed ${error.message}`),
      ),
  );
  await Promise.all(runs);
  assert.deepEqual(settled, [
    "failed 0",
    "ok 1",
    "failed 2",
    "ok 3",
    "failed 4",
    "ok 5",
  ]);
  assert.equal(limiter.running, 0);
  assert.equal(limiter.waiting, 0);
});

Deno.test("a capacity below 1 runs tasks one at a time", async () => {
  for (const capacity of [0, -3]) {
    const limiter = new WorkLimiter(capacity);
    const log: string[] = [];
    const a = new HeldTask(log, "a");
    const b = new HeldTask(log, "b");
    const runs = [limiter.run(a.task), limiter.run(b.task)];
    await a.started.promise;
    assert.equal(b.hasStarted, false);
    assert.equal(limiter.waiting, 1);
    a.resolve(1);
    await b.started.promise;
    b.resolve(2);
    assert.deepEqual(await Promise.all(runs), [1, 2]);
  }
});

Deno.test("running and waiting count back down to 0 once everything settles", async () => {
  const limiter = new WorkLimiter(3);
  assert.equal(limiter.running, 0);
  assert.equal(limiter.waiting, 0);
  const log: string[] = [];
  const tasks = Array.from({ length: 5 }, (_, i) => new HeldTask(log, `${i}`));
  const runs = tasks.map((t) => limiter.run(t.task));
  await Promise.all(tasks.slice(0, 3).map((t) => t.started.promise));
  assert.equal(limiter.running, 3);
  assert.equal(limiter.waiting, 2);
  tasks.forEach((t, i) => (i % 2 ? t.reject(new Error("no")) : t.resolve(i)));
  await Promise.allSettled(runs);
  assert.equal(limiter.running, 0);
  assert.equal(limiter.waiting, 0);
});

// Issue 16, finding 10: one client's queue of costly tasks does not hold
// another client's task behind all of it.
Deno.test("waiting tasks take turns client by client: a second client's task runs before the first client's queue is done", async () => {
  const limiter = new WorkLimiter(1);
  const log: string[] = [];
  const flood = Array.from({ length: 8 }, (_, i) => new HeldTask(log, `f${i}`));
  const runs = flood.map((t) => limiter.run(t.task, "flooder"));
  const quiet = new HeldTask(log, "q");
  const quietRun = limiter.run(quiet.task, "quiet");
  const later = new HeldTask(log, "r");
  const laterRun = limiter.run(later.task, "other");
  assert.equal(limiter.waiting, 9);
  await flood[0].started.promise;
  flood[0].resolve(0);
  // The next turn is the first waiting client's (the flooder's second
  // task), then the quiet client's, then the other's: round robin.
  await flood[1].started.promise;
  flood[1].resolve(1);
  await quiet.started.promise;
  assert.equal(flood[2].hasStarted, false);
  quiet.resolve(9);
  await later.started.promise;
  later.resolve(10);
  for (const [i, task] of flood.entries()) {
    if (i < 2) continue;
    await task.started.promise;
    task.resolve(i);
  }
  await Promise.all([...runs, quietRun, laterRun]);
  assert.deepEqual(
    log.filter((line) => line.startsWith("start")).map((l) => l.slice(6)),
    ["f0", "f1", "q", "r", "f2", "f3", "f4", "f5", "f6", "f7"],
  );
  assert.equal(limiter.waiting, 0);
  assert.equal(limiter.running, 0);
});
