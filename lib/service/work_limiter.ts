/**
 * A bound on heavy work that runs on Deno's blocking-thread pool: on-demand
 * key generation (3072 and 4096 bits) and PBKDF2 for passphrases. WebCrypto
 * runs these on that pool (32 threads), which the transport's `zmq_poll`
 * shares: a flood of them must wait here, in order, not fill the pool and
 * stall the socket. More at once than there are cores would not finish any
 * sooner anyway. Waiting tasks take turns client by client.
 *
 * @example
 * ```ts
 * import { WorkLimiter } from "./work_limiter.ts";
 *
 * const limiter = new WorkLimiter(2);
 * const bits = await limiter.run(() => crypto.subtle.digest("SHA-256", new Uint8Array(8)));
 * ```
 * @module
 */

/**
 * The default bound for heavy work of one kind: the cores, at least 2.
 * More at once would not finish sooner, and stays far below the 32 threads.
 */
export const HEAVY_CONCURRENCY: number = Math.max(
  2,
  navigator.hardwareConcurrency || 1,
);

/**
 * Runs at most `capacity` tasks at once; the others wait, taken in turn
 * client by client (round robin), each client's own in order. One client's
 * queue of costly tasks then delays another client's task by at most one
 * task of each other client waiting, not by the whole queue.
 */
export class WorkLimiter {
  readonly #capacity: number;
  /** Waiters by client; the map's order is the rotation. */
  readonly #waiting = new Map<string, (() => void)[]>();
  #waitingCount = 0;
  #running = 0;

  /** `capacity` tasks at once (at least one). */
  constructor(capacity: number) {
    this.#capacity = Math.max(1, Math.floor(capacity) || 1);
  }

  /** Tasks running now. */
  get running(): number {
    return this.#running;
  }

  /** Tasks waiting for a turn. */
  get waiting(): number {
    return this.#waitingCount;
  }

  /**
   * Runs `task` when a turn is free; settles as it does. `client` names who
   * asked (the transport's name for the connection): turns go round the
   * clients waiting.
   */
  async run<T>(task: () => Promise<T>, client = ""): Promise<T> {
    if (this.#running >= this.#capacity) {
      await new Promise<void>((resolve) => {
        const queue = this.#waiting.get(client);
        if (queue === undefined) this.#waiting.set(client, [resolve]);
        else queue.push(resolve);
        this.#waitingCount++;
      });
    } else {
      this.#running++;
    }
    try {
      return await task();
    } finally {
      // The turn passes straight to the next waiter, if any.
      const next = this.#next();
      if (next !== undefined) next();
      else this.#running--;
    }
  }

  /** The first waiter of the client next in turn; that client goes last. */
  #next(): (() => void) | undefined {
    for (const [client, queue] of this.#waiting) {
      const next = queue.shift()!;
      this.#waiting.delete(client);
      if (queue.length > 0) this.#waiting.set(client, queue);
      this.#waitingCount--;
      return next;
    }
    return undefined;
  }
}
