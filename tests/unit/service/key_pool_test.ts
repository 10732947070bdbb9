// The key pool: pairs are real and unique, the pool fills to its size and
// refills, an empty pool generates on demand, waiters are served in order,
// parallelism is bounded, failures are survived, and close() stops it all.
// Tests about keys use real WebCrypto generation; tests about scheduling use
// a fake generator the test controls, and a fake clock: retries and expiry
// run when the test moves time on, and "nothing more happens" is a count of
// timers armed, not a wait.

import assert from "node:assert/strict";
import { KeyPool } from "../../../lib/service/key_pool.ts";
import { waitFor } from "../../_helpers/wait.ts";
import { FakeTime, runMicrotasks } from "../../_helpers/fake_time.ts";
import {
  parsePrivateKey,
  parsePublicKey,
  type RsaKeyPairPem,
} from "../../../lib/crypto/mod.ts";

/** Waits until `condition` holds; throws after 30 s. */
function until(condition: () => boolean, what: string): Promise<boolean> {
  return waitFor(condition, { what, timeoutMs: 30_000, intervalMs: 5 });
}

/**
 * Runs the fake clock's timers one at a time, letting the promises each
 * starts settle, until `condition` holds; fails after `limit` timers.
 */
async function advanceUntil(
  time: FakeTime,
  condition: () => boolean,
  what: string,
  limit = 1000,
): Promise<void> {
  for (let timers = 0; timers < limit; timers++) {
    await runMicrotasks();
    if (condition()) return;
    if (!await time.next()) break;
  }
  await runMicrotasks();
  assert.ok(condition(), `${what}: not after ${limit} timers`);
}

/** `promise`, marked handled, and whether it has settled yet. */
function tracked<T>(promise: Promise<T>) {
  const state = { settled: false, promise };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

/**
 * Settles to `promise`'s outcome, or rejects when it has not settled within
 * `timeoutMs` (the test's guard against a hang; the timer is always
 * cleared).
 */
async function within<T>(
  promise: Promise<T>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`${what}: still pending after ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Marks `promises` as handled, so that when an assertion fails before they
 * are awaited, close() (which rejects them) does not turn the failure into
 * an unhandled rejection. Awaiting them later still sees the outcome.
 */
function handled<T>(promises: Promise<T>[]): Promise<T>[] {
  for (const promise of promises) promise.catch(() => {});
  return promises;
}

/** A fake pair, numbered in the order the generator was called. */
function fakePair(n: number): RsaKeyPairPem {
  return { public: `public-${n}`, private: `private-${n}` };
}

/** A generator that answers at once with numbered pairs, counting calls. */
function countingGenerator() {
  const state = {
    calls: 0,
    generate: () => Promise.resolve(fakePair(state.calls++)),
  };
  return state;
}

interface Held {
  readonly n: number;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * A generator whose calls stay pending until the test resolves them; it
 * counts calls and the most ever pending at once.
 */
function manualGenerator() {
  const pending: Held[] = [];
  const state = {
    calls: 0,
    maxPending: 0,
    pending,
    generate: (): Promise<RsaKeyPairPem> => {
      const n = state.calls++;
      return new Promise((resolve, reject) => {
        pending.push({ n, resolve: () => resolve(fakePair(n)), reject });
        state.maxPending = Math.max(state.maxPending, pending.length);
      });
    },
    /** Resolves the oldest pending call (or the one at `index`). */
    resolve(index = 0): number {
      const [held] = pending.splice(index, 1);
      assert.ok(held !== undefined, "no generation is pending");
      held.resolve();
      return held.n;
    },
  };
  return state;
}

Deno.test("KeyPool: real pairs are unique, valid, and private matches public", async () => {
  // Three pairs from a pool of two: from the pool and made on demand.
  const pool = new KeyPool({ size: 2, refillParallelism: 2 });
  try {
    const pairs: RsaKeyPairPem[] = [];
    for (let i = 0; i < 3; i++) pairs.push(await pool.take());
    assert.equal(new Set(pairs.map((pair) => pair.public)).size, 3);
    assert.equal(new Set(pairs.map((pair) => pair.private)).size, 3);
    for (const pair of pairs) {
      assert.match(pair.public, /^-----BEGIN RSA PUBLIC KEY-----\n/);
      assert.match(pair.private, /^-----BEGIN RSA PRIVATE KEY-----\n/);
      const pub = parsePublicKey(pair.public);
      const priv = parsePrivateKey(pair.private);
      assert.equal(priv.n, pub.n);
      assert.equal(priv.e, pub.e);
      assert.equal(pub.size, 256); // 2048 bits
    }
  } finally {
    pool.close();
  }
});

Deno.test("KeyPool: fills up to size and no further", async () => {
  const generator = countingGenerator();
  const time = new FakeTime();
  const pool = new KeyPool({
    size: 5,
    generate: generator.generate,
    clock: time,
  });
  try {
    assert.equal(pool.size, 5);
    await until(() => pool.depth === 5, "the pool is full");
    await runMicrotasks();
    assert.equal(pool.depth, 5);
    assert.equal(generator.calls, 5);
    assert.equal(pool.generating, 0);
    assert.equal(pool.waiting, 0);
    assert.equal(time.pending, 0, "no timer armed: nothing more will happen");
  } finally {
    pool.close();
  }
});

Deno.test("KeyPool: refills after it drains", async () => {
  const generator = countingGenerator();
  const time = new FakeTime();
  const pool = new KeyPool({
    size: 3,
    refillParallelism: 2,
    generate: generator.generate,
    clock: time,
  });
  try {
    await until(() => pool.depth === 3, "the pool is full");
    const taken = [await pool.take(), await pool.take(), await pool.take()];
    assert.deepEqual(taken.map((pair) => pair.public), [
      "public-0",
      "public-1",
      "public-2",
    ]);
    await until(() => pool.depth === 3, "the pool is full again");
    await runMicrotasks();
    assert.equal(pool.depth, 3);
    assert.equal(generator.calls, 6);
    assert.equal(pool.generating, 0);
    assert.equal(time.pending, 0, "no timer armed: nothing more will happen");
    // The refilled pairs are new ones.
    const next = await pool.take();
    assert.ok(!taken.some((pair) => pair.public === next.public));
  } finally {
    pool.close();
  }
});

Deno.test("KeyPool: refills after it drains, with real keys", async () => {
  // One pair a fill: the refill logic is the fake generator's test; this
  // one shows the real generator refills (each 2048-bit pair costs CPU).
  const pool = new KeyPool({ size: 1 });
  try {
    await until(() => pool.depth === 1, "the pool is full");
    const first = await pool.take();
    assert.equal(pool.depth, 0);
    await until(() => pool.depth === 1, "the pool is full again");
    const second = await pool.take();
    assert.notEqual(first.public, second.public);
  } finally {
    pool.close();
  }
});

Deno.test("KeyPool: size 0 generates each pair on demand and never rejects", async () => {
  const generator = manualGenerator();
  const time = new FakeTime();
  const pool = new KeyPool({
    size: 0,
    maxGenerating: 8,
    generate: generator.generate,
    clock: time,
  });
  try {
    await runMicrotasks();
    assert.equal(generator.calls, 0, "an empty pool generates nothing ahead");
    assert.equal(time.pending, 0);
    const [first] = handled([pool.take()]);
    assert.equal(generator.calls, 1, "a take starts its own generation");
    const [second, third] = handled([pool.take(), pool.take()]);
    assert.equal(generator.calls, 3);
    assert.equal(pool.generating, 3);
    assert.equal(pool.waiting, 3);
    generator.resolve();
    generator.resolve();
    generator.resolve();
    const pairs = await within(
      Promise.all([first, second, third]),
      "takes on an empty pool",
    );
    assert.deepEqual(pairs.map((pair) => pair.public), [
      "public-0",
      "public-1",
      "public-2",
    ]);
    await runMicrotasks();
    assert.equal(pool.depth, 0, "nothing is kept ahead");
    assert.equal(generator.calls, 3, "nothing is generated ahead");
    assert.equal(pool.waiting, 0);
    assert.equal(pool.generating, 0);
    assert.equal(time.pending, 0, "no timer armed: nothing more will happen");
  } finally {
    pool.close();
  }
});

Deno.test("KeyPool: size 0 with the real generator resolves each take", async () => {
  const pool = new KeyPool({ size: 0 });
  try {
    const pairs = await within(
      Promise.all([pool.take(), pool.take()]),
      "takes on an empty pool",
      60_000,
    );
    assert.notEqual(pairs[0].public, pairs[1].public);
    for (const pair of pairs) {
      assert.equal(
        parsePrivateKey(pair.private).n,
        parsePublicKey(pair.public).n,
      );
    }
    assert.equal(pool.depth, 0);
  } finally {
    pool.close();
  }
});

Deno.test("KeyPool: waiters are served in order and each pair is handed out once", async () => {
  const generator = manualGenerator();
  const pool = new KeyPool({
    size: 2,
    maxGenerating: 8,
    generate: generator.generate,
  });
  try {
    // Fill the pool: pairs 0 and 1.
    while (pool.depth < 2) {
      await until(() => generator.pending.length > 0, "a refill starts");
      generator.resolve();
      await runMicrotasks();
    }
    await until(() => pool.depth === 2, "the pool is full");
    const settled: number[] = [];
    const got: string[] = [];
    const takes = handled(Array.from(
      { length: 6 },
      (_, i) =>
        pool.take().then((pair) => {
          settled.push(i);
          got[i] = pair.public;
        }),
    ));
    assert.equal(pool.waiting, 4);
    assert.equal(pool.generating, 4, "each waiter has its own generation");
    // Finish the generations newest first: waiters are still served in the
    // order they came.
    while (generator.pending.length > 0) {
      generator.resolve(generator.pending.length - 1);
    }
    await within(Promise.all(takes), "the takes");
    assert.deepEqual(settled, [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(got.slice(0, 2), ["public-0", "public-1"]);
    assert.equal(new Set(got).size, 6, "no pair is handed out twice");
    // The rest came from the generations started for the waiters.
    assert.deepEqual(got.slice(2), [
      "public-5",
      "public-4",
      "public-3",
      "public-2",
    ]);
  } finally {
    pool.close();
  }
});

Deno.test("KeyPool: no pair is handed out twice under many concurrent takes", async () => {
  const generator = countingGenerator();
  const pool = new KeyPool({
    size: 4,
    refillParallelism: 2,
    generate: generator.generate,
  });
  try {
    await until(() => pool.depth === 4, "the pool is full");
    const pairs = await within(
      Promise.all(Array.from({ length: 50 }, () => pool.take())),
      "50 takes",
    );
    assert.equal(new Set(pairs.map((pair) => pair.public)).size, 50);
  } finally {
    pool.close();
  }
});

Deno.test("KeyPool: background refill keeps to refillParallelism", async () => {
  const generator = manualGenerator();
  const pool = new KeyPool({
    size: 10,
    refillParallelism: 3,
    maxGenerating: 8,
    generate: generator.generate,
  });
  try {
    assert.equal(pool.generating, 3);
    assert.equal(generator.calls, 3);
    while (pool.depth < 10) {
      await until(() => generator.pending.length > 0, "a refill is pending");
      assert.equal(pool.waiting, 0);
      assert.ok(
        pool.generating <= 3,
        `generating ${pool.generating} with no one waiting`,
      );
      // Finish them in an unusual order: the newest first.
      generator.resolve(generator.pending.length - 1);
      await runMicrotasks();
      assert.ok(pool.generating <= 3, `generating ${pool.generating}`);
    }
    assert.equal(generator.maxPending, 3);
    assert.equal(generator.calls, 10);
    assert.equal(pool.generating, 0);
  } finally {
    pool.close();
  }
});

Deno.test("KeyPool: maxGenerating bounds on-demand generations too", async () => {
  const generator = manualGenerator();
  const pool = new KeyPool({
    size: 0,
    maxGenerating: 2,
    generate: generator.generate,
  });
  try {
    const takes = handled(Array.from({ length: 5 }, () => pool.take()));
    assert.equal(pool.generating, 2);
    assert.equal(pool.waiting, 5);
    while (generator.calls < 5 || generator.pending.length > 0) {
      await until(() => generator.pending.length > 0, "a generation starts");
      assert.ok(pool.generating <= 2, `generating ${pool.generating}`);
      generator.resolve();
      await runMicrotasks();
    }
    const pairs = await within(Promise.all(takes), "the takes");
    assert.equal(new Set(pairs.map((pair) => pair.public)).size, 5);
    assert.equal(generator.maxPending, 2);
  } finally {
    pool.close();
  }
});

Deno.test("KeyPool: a failing generator is reported and retried until the pool fills", async () => {
  const errors: unknown[] = [];
  let calls = 0;
  const time = new FakeTime();
  const pool = new KeyPool({
    size: 2,
    generate: () => {
      const n = calls++;
      return n < 4
        ? Promise.reject(new Error(`failure ${n}`))
        : Promise.resolve(fakePair(n));
    },
    onError: (error) => errors.push(error),
    clock: time,
  });
  try {
    await advanceUntil(
      time,
      () => pool.depth === 2,
      "the pool fills despite failures",
    );
    assert.deepEqual(
      errors.map((error) => (error as Error).message),
      ["failure 0", "failure 1", "failure 2", "failure 3"],
    );
    assert.deepEqual(
      [(await pool.take()).public, (await pool.take()).public],
      ["public-4", "public-5"],
    );
  } finally {
    pool.close();
  }
});

Deno.test("KeyPool: a waiter is rejected when generation keeps failing", async () => {
  const errors: unknown[] = [];
  let calls = 0;
  const failure = new Error("no entropy today");
  const time = new FakeTime();
  const pool = new KeyPool({
    size: 0,
    generate: () => {
      calls++;
      return Promise.reject(failure);
    },
    onError: (error) => errors.push(error),
    clock: time,
  });
  try {
    const first = tracked(pool.take());
    await advanceUntil(time, () => first.settled, "the first take settles");
    await assert.rejects(first.promise, (error) => error === failure);
    assert.ok(calls >= 2, `retried: ${calls} calls`);
    assert.equal(errors.length, calls, "every failure is reported");
    assert.ok(errors.every((error) => error === failure));
    assert.equal(pool.waiting, 0);
    // The next take gets the same treatment: rejected, not left hanging.
    const second = tracked(pool.take());
    await advanceUntil(time, () => second.settled, "the second take settles");
    await assert.rejects(second.promise, (error) => error === failure);
  } finally {
    pool.close();
  }
  // Retries are timer-driven; close() cancels the one scheduled: however
  // long the clock runs on, a closed pool generates nothing.
  const callsAtClose = calls;
  assert.equal(time.pending, 0, "close() leaves no timer armed");
  await time.tick(60_000);
  assert.equal(calls, callsAtClose, "a closed pool stops retrying");
});

Deno.test("KeyPool: a pool that recovers serves its waiter", async () => {
  let calls = 0;
  const time = new FakeTime();
  const pool = new KeyPool({
    size: 0,
    generate: () => {
      const n = calls++;
      return n < 2
        ? Promise.reject(new Error(`failure ${n}`))
        : Promise.resolve(fakePair(n));
    },
    clock: time,
  });
  try {
    const take = tracked(pool.take());
    await advanceUntil(time, () => take.settled, "a take after two failures");
    assert.equal((await take.promise).public, "public-2");
  } finally {
    pool.close();
  }
});

Deno.test("KeyPool: close() rejects waiters and stops refilling", async () => {
  const generator = manualGenerator();
  const time = new FakeTime();
  const pool = new KeyPool({
    size: 3,
    refillParallelism: 2,
    generate: generator.generate,
    clock: time,
  });
  const [first, second, third] = handled([
    pool.take(),
    pool.take(),
    pool.take(),
  ]);
  assert.equal(pool.waiting, 3);
  const callsBefore = generator.calls;
  pool.close();
  for (const take of [first, second, third]) {
    await assert.rejects(take, /KeyPool is closed/);
  }
  assert.equal(pool.waiting, 0);
  await assert.rejects(pool.take(), /KeyPool is closed/);
  // Generations that finish after close() are dropped, and start no more.
  while (generator.pending.length > 0) generator.resolve();
  await runMicrotasks();
  assert.equal(pool.depth, 0);
  assert.equal(generator.calls, callsBefore);
  assert.equal(time.pending, 0, "no timer armed: nothing more will happen");
  pool.close(); // twice is harmless
});

Deno.test("KeyPool: close() drops the ready pairs", async () => {
  const generator = countingGenerator();
  const time = new FakeTime();
  const pool = new KeyPool({
    size: 3,
    generate: generator.generate,
    maxAgeMs: 1000,
    clock: time,
  });
  await until(() => pool.depth === 3, "the pool is full");
  assert.equal(time.pending, 1, "the expiry sweep is armed");
  pool.close();
  assert.equal(pool.depth, 0);
  await assert.rejects(pool.take(), /KeyPool is closed/);
  assert.equal(time.pending, 0, "close() disarms the sweep");
  await time.tick(60_000);
  assert.equal(generator.calls, 3);
});

// --- Maximum age -----------------------------------------------------------------

Deno.test("a pair older than maxAgeMs is never handed out: take() gets a new one", async () => {
  const generator = countingGenerator();
  const time = new FakeTime();
  const pool = new KeyPool({
    size: 1,
    generate: generator.generate,
    maxAgeMs: 1000,
    clock: time,
  });
  try {
    await until(() => pool.depth === 1, "the pool to fill");
    await time.tick(999); // younger than the maximum age: handed out
    assert.equal(pool.expired, 0);
    assert.deepEqual(await within(pool.take(), "take"), fakePair(0));
    await until(() => pool.depth === 1, "the pool to refill");
    await time.tick(1000); // pair 1 has reached the maximum age
    assert.deepEqual(await within(pool.take(), "take"), fakePair(2));
    assert.equal(pool.expired, 1);
  } finally {
    pool.close();
  }
});

Deno.test("expired pairs are dropped and replaced even when nobody asks", async () => {
  const generator = countingGenerator();
  const time = new FakeTime();
  const pool = new KeyPool({
    size: 2,
    generate: generator.generate,
    maxAgeMs: 20,
    clock: time,
  });
  try {
    await until(() => pool.depth === 2, "the pool to fill");
    await time.tick(19);
    assert.equal(pool.expired, 0, "not yet at the maximum age");
    // Each sweep drops the pairs that aged out and makes new ones.
    await time.tick(1);
    assert.equal(pool.expired, 2);
    await time.tick(20);
    assert.equal(pool.expired, 4);
    assert.equal(pool.depth, 2, "refilled");
    const pair = await within(pool.take(), "take");
    assert.deepEqual(pair, fakePair(4));
  } finally {
    pool.close();
  }
});

Deno.test("without maxAgeMs a ready pair is handed out however old it is", async () => {
  const generator = countingGenerator();
  const time = new FakeTime();
  const pool = new KeyPool({
    size: 1,
    generate: generator.generate,
    clock: time,
  });
  try {
    await until(() => pool.depth === 1, "the pool to fill");
    assert.equal(time.pending, 0, "no sweep without a maximum age");
    await time.tick(Number.MAX_SAFE_INTEGER);
    assert.deepEqual(await within(pool.take(), "take"), fakePair(0));
    assert.equal(pool.expired, 0);
  } finally {
    pool.close();
  }
});
