// The decryption worker pool: real decryption on real workers, jobs spread
// over the workers, a failed decryption that leaves its worker serving, a
// dead worker replaced, many jobs at once, and close().
//
// To see which worker got which job, the tests give the pool a worker
// factory that makes a Worker subclass recording the messages posted to it
// and whether it was terminated. The workers themselves are the real ones.

import assert from "node:assert/strict";
import {
  DECRYPT_WORKER_URL,
  DecryptPool,
} from "../../../../lib/service/decrypt/decrypt_pool.ts";
import {
  DecryptionFailed,
  InternalError,
} from "../../../../lib/service/errors.ts";
import {
  encryptPkcs1v15,
  parsePrivateKey,
  parsePublicKey,
  type RsaPrivateKey,
  type RsaPublicKey,
} from "../../../../lib/crypto/mod.ts";
import { bigintToBytes, modPow } from "../../../_helpers/der.ts";
import { FIXED_PAIR, SECOND_PAIR } from "../../../_helpers/fixed_key.ts";

const encoder = new TextEncoder();

// Key generation is slow: two pairs for the whole file.
const pairA = FIXED_PAIR;
const pairB = SECOND_PAIR;
const publicA = parsePublicKey(pairA.public);
const privateA = parsePrivateKey(pairA.private);
const publicB = parsePublicKey(pairB.public);
const privateB = parsePrivateKey(pairB.private);

/**
 * A copy of `key` with a DER buffer of its own: the pool takes (transfers)
 * the DER of each key it is given, so a key used again needs a copy.
 */
function own(key: RsaPrivateKey): RsaPrivateKey {
  return { ...key, der: key.der.slice() };
}

/** A Worker that records what the pool does with it. */
class TrackedWorker extends Worker {
  readonly posted: unknown[] = [];
  terminated = false;

  override postMessage(
    message: unknown,
    options?: Transferable[] | StructuredSerializeOptions,
  ): void {
    this.posted.push(message);
    super.postMessage(
      message,
      Array.isArray(options) ? { transfer: options } : options,
    );
  }

  override terminate(): void {
    this.terminated = true;
    super.terminate();
  }
}

/**
 * A pool of `size` real workers, each a {@linkcode TrackedWorker}, listed in
 * `workers` in the order the pool started them (replacements included).
 */
function trackedPool(size: number): {
  pool: DecryptPool;
  workers: TrackedWorker[];
} {
  const workers: TrackedWorker[] = [];
  const pool = new DecryptPool({
    size,
    createWorker: () => {
      const worker = new TrackedWorker(DECRYPT_WORKER_URL, { type: "module" });
      workers.push(worker);
      return worker;
    },
  });
  return { pool, workers };
}

/** Runs `fn` on a tracked pool, then closes the pool. */
async function withPool(
  size: number,
  fn: (pool: DecryptPool, workers: TrackedWorker[]) => Promise<void>,
): Promise<void> {
  const { pool, workers } = trackedPool(size);
  try {
    await fn(pool, workers);
  } finally {
    pool.close();
  }
}

function encrypt(key: RsaPublicKey, text: string): Uint8Array {
  return encryptPkcs1v15(key, encoder.encode(text));
}

/**
 * A ciphertext under `key` that is well-formed (modulus-long, below the
 * modulus) but whose decryption is not a PKCS#1 v1.5 block: it encrypts the
 * integer 5, so the block starts 00 00, not 00 02. Decryption always fails.
 */
function badlyPadded(key: RsaPrivateKey): Uint8Array {
  return bigintToBytes(modPow(5n, key.e, key.n), key.size);
}

/**
 * Marks `promises` as handled, so that when an assertion fails before they
 * are awaited, closing the pool (which rejects them) reports that failure,
 * not an unhandled rejection. Awaiting them later still sees the outcome.
 */
function handled<T>(promises: Promise<T>[]): Promise<T>[] {
  for (const promise of promises) promise.catch(() => {});
  return promises;
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

Deno.test("DecryptPool: decrypts on a worker", async () => {
  await withPool(2, async (pool) => {
    assert.equal(pool.size, 2);
    const plaintext = await pool.decrypt(
      own(privateA),
      encrypt(publicA, "hello"),
    );
    assert.ok(plaintext instanceof Uint8Array);
    assert.equal(text(plaintext), "hello");
    assert.deepEqual([...plaintext], [...encoder.encode("hello")]);
    // A 44-character Fernet key, as the service uses it, and an empty one.
    const fernet = "x".repeat(43) + "=";
    assert.equal(
      text(await pool.decrypt(own(privateB), encrypt(publicB, fernet))),
      fernet,
    );
    assert.equal(
      (await pool.decrypt(own(privateA), encrypt(publicA, ""))).length,
      0,
    );
    assert.equal(pool.pending, 0);
  });
});

Deno.test("DecryptPool: at least one worker", async () => {
  await withPool(0, async (pool, workers) => {
    assert.equal(pool.size, 1);
    assert.equal(workers.length, 1);
    assert.equal(
      text(await pool.decrypt(own(privateA), encrypt(publicA, "x"))),
      "x",
    );
  });
});

Deno.test("DecryptPool: jobs are spread across the workers", async () => {
  await withPool(2, async (pool, workers) => {
    assert.equal(workers.length, 2);
    const jobs = handled([
      pool.decrypt(own(privateA), encrypt(publicA, "one")),
      pool.decrypt(own(privateB), encrypt(publicB, "two")),
    ]);
    assert.equal(pool.pending, 2);
    // One job each: the second went to the worker with fewer in hand.
    assert.deepEqual(workers.map((worker) => worker.posted.length), [1, 1]);
    assert.deepEqual((await Promise.all(jobs)).map(text), ["one", "two"]);
    assert.equal(pool.pending, 0);

    const many = handled(Array.from(
      { length: 10 },
      (_, i) => pool.decrypt(own(privateA), encrypt(publicA, `job ${i}`)),
    ));
    assert.equal(pool.pending, 10);
    // 12 jobs in all, none answered while these were handed out: 6 each.
    assert.deepEqual(workers.map((worker) => worker.posted.length), [6, 6]);
    assert.deepEqual(
      (await Promise.all(many)).map(text),
      Array.from({ length: 10 }, (_, i) => `job ${i}`),
    );
    assert.equal(pool.pending, 0);
  });
});

Deno.test("DecryptPool: a failed decryption rejects with DecryptionFailed and the worker carries on", async () => {
  await withPool(1, async (pool, workers) => {
    const worker = workers[0];
    await assert.rejects(
      pool.decrypt(own(privateA), badlyPadded(privateA)),
      (error) => {
        assert.ok(error instanceof DecryptionFailed);
        assert.equal((error as DecryptionFailed).code, "decryption_failed");
        return true;
      },
    );
    assert.equal(pool.pending, 0);
    // The same worker, still alive and not replaced, decrypts the next job.
    assert.equal(
      text(await pool.decrypt(own(privateA), encrypt(publicA, "still here"))),
      "still here",
    );
    assert.equal(workers.length, 1, "no replacement worker was started");
    assert.equal(worker.terminated, false);
    assert.equal(worker.posted.length, 2, "both jobs went to this worker");

    // A ciphertext one byte short fails the same way inside the worker, and
    // the worker still serves.
    await assert.rejects(
      pool.decrypt(own(privateA), badlyPadded(privateA).subarray(1)),
      DecryptionFailed,
    );
    await assert.rejects(
      pool.decrypt(own(privateB), badlyPadded(privateB)),
      DecryptionFailed,
    );
    assert.equal(
      text(await pool.decrypt(own(privateB), encrypt(publicB, "and here"))),
      "and here",
    );
    assert.equal(workers.length, 1);
    assert.equal(worker.terminated, false);
  });
});

Deno.test("DecryptPool: many concurrent decryptions all resolve correctly", async () => {
  await withPool(3, async (pool) => {
    const keys = [
      { pub: publicA, priv: privateA },
      { pub: publicB, priv: privateB },
    ];
    const count = 200;
    const jobs = handled(Array.from({ length: count }, (_, i) => {
      const { pub, priv } = keys[i % 2];
      const message = `message ${i} ${"y".repeat(i % 40)}`;
      return pool.decrypt(own(priv), encrypt(pub, message)).then(
        (plaintext) => {
          assert.equal(text(plaintext), message);
          return i;
        },
      );
    }));
    // Failures mixed in do not disturb the others.
    const failures = Array.from(
      { length: 20 },
      () =>
        pool.decrypt(own(privateA), badlyPadded(privateA)).then(
          () => "resolved",
          (error) => error,
        ),
    );
    assert.equal(pool.pending, count + 20);
    assert.deepEqual(
      await Promise.all(jobs),
      Array.from({ length: count }, (_, i) => i),
    );
    for (const outcome of await Promise.all(failures)) {
      assert.ok(outcome instanceof DecryptionFailed, String(outcome));
    }
    assert.equal(pool.pending, 0);
  });
});

Deno.test("DecryptPool: a worker that dies is replaced and its jobs fail with InternalError", async () => {
  await withPool(1, async (pool, workers) => {
    const first = workers[0];
    assert.equal(
      text(await pool.decrypt(own(privateA), encrypt(publicA, "before"))),
      "before",
    );
    // A message that is not a job makes the worker's handler throw outside
    // its try: the worker dies, as it would from an unexpected fault. (Deno
    // prints the worker's uncaught TypeError to stderr: that is expected.)
    first.postMessage(null);
    const [job] = handled([
      pool.decrypt(own(privateA), encrypt(publicA, "during")),
    ]);
    await assert.rejects(job, InternalError);
    assert.equal(first.terminated, true);
    assert.equal(workers.length, 2, "a replacement worker was started");
    assert.equal(pool.size, 1);
    assert.equal(pool.pending, 0);
    assert.equal(
      text(await pool.decrypt(own(privateA), encrypt(publicA, "after"))),
      "after",
    );
    assert.equal(workers[1].posted.length, 1);
  });
});

Deno.test("DecryptPool: close() terminates the workers and fails what is in hand", async () => {
  const { pool, workers } = trackedPool(2);
  try {
    assert.equal(
      text(await pool.decrypt(own(privateA), encrypt(publicA, "before"))),
      "before",
    );
    const inHand = handled([
      pool.decrypt(own(privateA), encrypt(publicA, "one")),
      pool.decrypt(own(privateB), encrypt(publicB, "two")),
    ]);
    pool.close();
    assert.deepEqual(workers.map((worker) => worker.terminated), [true, true]);
    for (const job of inHand) await assert.rejects(job, InternalError);
    assert.equal(pool.pending, 0);
    await assert.rejects(
      pool.decrypt(own(privateA), encrypt(publicA, "after")),
      InternalError,
    );
    assert.equal(workers.length, 2, "no worker is started after close()");
    pool.close(); // twice is harmless
  } finally {
    pool.close();
  }
});

Deno.test("DecryptPool: the key's DER is transferred to the worker, not copied", async () => {
  await withPool(1, async (pool, [worker]) => {
    const key = own(privateA);
    const plaintext = await pool.decrypt(key, encrypt(publicA, "moved"));
    assert.equal(text(plaintext), "moved");
    // The caller's buffer moved away: detached, nothing left to read here.
    assert.equal(key.der.byteLength, 0);
    assert.equal((key.der.buffer as ArrayBuffer).detached, true);
    const job = worker.posted[0] as { key: RsaPrivateKey };
    assert.equal(job.key.der.byteLength, 0);
  });
});

Deno.test("DecryptPool: a key whose DER was handed over already is an InternalError, and the pool serves on", async () => {
  await withPool(1, async (pool) => {
    const key = own(privateA);
    await pool.decrypt(key, encrypt(publicA, "first"));
    await assert.rejects(
      pool.decrypt(key, encrypt(publicA, "again")),
      InternalError,
    );
    assert.equal(
      text(await pool.decrypt(own(privateA), encrypt(publicA, "next"))),
      "next",
    );
  });
});
