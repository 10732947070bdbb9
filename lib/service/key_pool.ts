/**
 * A pool of RSA key pairs generated ahead of demand, in memory only. Each
 * pair is handed out once and then forgotten. The pool refills in the
 * background with bounded parallelism; when it is empty, a request waits for
 * the next pair to finish, and a generation is started for it on demand, so
 * an empty pool is slower, never an error. A pair not handed out within the
 * maximum age is dropped and a new one made in its place, so that no private
 * key waits in memory for longer than that.
 *
 * @example
 * ```ts
 * import { KeyPool } from "./key_pool.ts";
 *
 * const pool = new KeyPool({ size: 8, maxAgeMs: 3_600_000 });
 * const pair = await pool.take(); // { public: "-----BEGIN RSA PUBLIC KEY-----\n...", private: ... }
 * pool.close();
 * ```
 * @module
 */

import { generateRsaKeyPair, type RsaKeyPairPem } from "../crypto/mod.ts";
import type { KeyPairSource } from "./types.ts";
import { HEAVY_CONCURRENCY } from "./work_limiter.ts";
import { type Clock, systemClock, type TimerId } from "../clock/mod.ts";

/** How a {@linkcode KeyPool} behaves. */
export interface KeyPoolOptions {
  /** Pairs kept ready. 0 turns the pool off: every pair is made on demand. */
  readonly size: number;
  /** Background generations at once while refilling. Default 1. */
  readonly refillParallelism?: number;
  /**
   * Generations at once in all (refill and on demand). Default: the number
   * of cores, at least 2. Keep it well below 32: WebCrypto generation runs
   * on Deno's blocking-thread pool (32 threads), which the transport's
   * `zmq_poll` shares; a pool full of generations would stall the socket.
   * More generations than cores would not finish any sooner anyway: waiting
   * requests take pairs in order as they finish.
   */
  readonly maxGenerating?: number;
  /** Makes one pair. Default: 2048-bit RSA from WebCrypto. */
  readonly generate?: () => Promise<RsaKeyPairPem>;
  /** Told when a generation fails; the pool tries again. */
  readonly onError?: (error: unknown) => void;
  /**
   * How long a ready pair may wait to be handed out, in milliseconds; past
   * it, it is dropped and replaced. Default: no limit.
   */
  readonly maxAgeMs?: number;
  /**
   * The clock that ages are read from and that retries and the expiry sweep
   * are timed on. Default: the real one.
   */
  readonly clock?: Clock;
}

interface Ready {
  readonly pair: RsaKeyPairPem;
  /** When it was made, on the pool's clock. */
  readonly born: number;
}

/** setTimeout's longest delay; a longer wait is done in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

interface Waiter {
  resolve(pair: RsaKeyPairPem): void;
  reject(error: unknown): void;
}

/** Ready-made key pairs; see the module documentation. */
export class KeyPool implements KeyPairSource {
  readonly #size: number;
  readonly #refillParallelism: number;
  readonly #maxGenerating: number;
  readonly #generate: () => Promise<RsaKeyPairPem>;
  readonly #onError: (error: unknown) => void;
  readonly #maxAgeMs: number;
  readonly #clock: Clock;
  /** Oldest first: pairs are pushed as they are made. */
  readonly #ready: Ready[] = [];
  readonly #waiters: Waiter[] = [];
  #generating = 0;
  #failures = 0;
  #retry: TimerId;
  #sweep: TimerId;
  #expired = 0;
  #closed = false;

  /** Creates the pool and starts filling it; nothing waits for that. */
  constructor(options: KeyPoolOptions) {
    this.#size = options.size;
    this.#refillParallelism = Math.max(1, options.refillParallelism ?? 1);
    this.#maxGenerating = Math.max(
      1,
      options.maxGenerating ?? HEAVY_CONCURRENCY,
    );
    this.#generate = options.generate ?? (() => generateRsaKeyPair());
    this.#onError = options.onError ?? (() => {});
    this.#maxAgeMs = options.maxAgeMs ?? Infinity;
    this.#clock = options.clock ?? systemClock;
    this.#schedule();
  }

  /** Pairs ready now. */
  get depth(): number {
    return this.#ready.length;
  }

  /** Pairs being generated now. */
  get generating(): number {
    return this.#generating;
  }

  /** Requests waiting for a pair. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** The configured size. */
  get size(): number {
    return this.#size;
  }

  /** Pairs dropped so far because they reached the maximum age unused. */
  get expired(): number {
    return this.#expired;
  }

  /**
   * A pair never handed out before and younger than the maximum age: from
   * the pool, or made on demand.
   */
  take(): Promise<RsaKeyPairPem> {
    if (this.#closed) return Promise.reject(new Error("KeyPool is closed"));
    this.#dropExpired();
    const pair = this.#ready.shift()?.pair;
    const promise = pair !== undefined
      ? Promise.resolve(pair)
      : new Promise<RsaKeyPairPem>((resolve, reject) =>
        this.#waiters.push({ resolve, reject })
      );
    this.#schedule();
    return promise;
  }

  /** Stops refilling, drops the ready pairs, and fails the waiters. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clock.clearTimeout(this.#retry);
    this.#clock.clearTimeout(this.#sweep);
    this.#ready.length = 0;
    for (const waiter of this.#waiters.splice(0)) {
      waiter.reject(new Error("KeyPool is closed"));
    }
  }

  #schedule(): void {
    while (!this.#closed && this.#generating < this.#maxGenerating) {
      // Every waiter has a generation of its own under way; past that, the
      // background refill keeps to its own parallelism.
      const needed = this.#waiters.length > this.#generating ||
        (this.#waiters.length === 0 &&
          this.#ready.length + this.#generating < this.#size &&
          this.#generating < this.#refillParallelism);
      if (!needed) return;
      this.#generating++;
      // A generator that throws instead of rejecting is a rejection too.
      let generation: Promise<RsaKeyPairPem>;
      try {
        generation = this.#generate();
      } catch (error) {
        generation = Promise.reject(error);
      }
      generation.then(
        (pair) => {
          this.#generating--;
          this.#failures = 0;
          if (this.#closed) return;
          const waiter = this.#waiters.shift();
          if (waiter !== undefined) waiter.resolve(pair);
          else {
            this.#ready.push({ pair, born: this.#clock.now() });
            this.#armSweep();
          }
          this.#schedule();
        },
        (error) => {
          this.#generating--;
          this.#onError(error);
          if (this.#closed) return;
          // A generator that keeps failing fails a waiter every third try
          // instead of leaving it hanging, and backs off, up to 5 s.
          if (++this.#failures % 3 === 0) this.#waiters.shift()?.reject(error);
          this.#clock.clearTimeout(this.#retry);
          this.#retry = this.#clock.setTimeout(
            () => this.#schedule(),
            Math.min(5000, 10 * 2 ** this.#failures),
          );
        },
      );
    }
  }

  /** Drops the pairs that reached the maximum age; refills for them. */
  #dropExpired(): void {
    const now = this.#clock.now();
    let dropped = 0;
    while (
      this.#ready.length > 0 && now - this.#ready[0].born >= this.#maxAgeMs
    ) {
      this.#ready.shift();
      dropped++;
    }
    if (dropped === 0) return;
    this.#expired += dropped;
    this.#schedule();
  }

  /**
   * Keeps one timer for the oldest ready pair's expiry, so that a pair
   * nobody asks for is still dropped on time.
   */
  #armSweep(): void {
    if (
      this.#closed || this.#sweep !== undefined ||
      this.#ready.length === 0 || !Number.isFinite(this.#maxAgeMs)
    ) return;
    const due = this.#ready[0].born + this.#maxAgeMs - this.#clock.now();
    this.#sweep = this.#clock.setTimeout(() => {
      this.#sweep = undefined;
      this.#dropExpired();
      this.#armSweep();
    }, Math.min(MAX_DELAY_MS, Math.max(0, due)));
  }
}
