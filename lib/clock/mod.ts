/**
 * The clock the timed parts of the service read and arm timers on (the key
 * pool's ages and retries, the logger's throttle, the client's backoff), as
 * an interface, so that their tests drive a fake one instead of waiting.
 *
 * @example
 * ```ts
 * import { type Clock, sleep, systemClock } from "./mod.ts";
 *
 * const clock: Clock = systemClock;
 * const started = clock.now();
 * await sleep(clock, 10);
 * console.log(clock.now() - started >= 10); // true
 * ```
 * @module
 */

/** A timer's handle: whatever the clock's `setTimeout` returned. */
export type TimerId = unknown;

/** Monotonic time in milliseconds, and one-shot timers on it. */
export interface Clock {
  /** Milliseconds since an arbitrary start; never goes back. */
  now(): number;
  /** Runs `callback` once, `ms` milliseconds from now; returns its id. */
  setTimeout(callback: () => void, ms: number): TimerId;
  /** Cancels a timer that has not run; undefined or a spent id is ignored. */
  clearTimeout(id: TimerId): void;
}

/** The real clock: `performance.now()` and the global timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (id) => clearTimeout(id as number | undefined),
};

/** Resolves `ms` milliseconds from now on `clock`. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}
