// A fake clock in the shape of std's FakeTime (std is out of reach here):
// time moves only when a test calls tick(), and the timers due run then, in
// order. Parts that take a Clock (lib/clock) run on it, so that a test
// asserts what happened after a given time without waiting for it.

import type { Clock, TimerId } from "../../lib/clock/mod.ts";

interface Timer {
  readonly due: number;
  readonly callback: () => void;
}

/** Lets every promise already settled run its reactions (one real turn). */
export function runMicrotasks(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A clock that moves only when told; see the file's header. */
export class FakeTime implements Clock {
  #now: number;
  #nextId = 1;
  readonly #timers = new Map<number, Timer>();

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): number {
    const id = this.#nextId++;
    this.#timers.set(id, { due: this.#now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(id: TimerId): void {
    if (typeof id === "number") this.#timers.delete(id);
  }

  /** Timers armed and not yet run or cleared. */
  get pending(): number {
    return this.#timers.size;
  }

  /** When the next timer is due, or undefined when none is armed. */
  get nextDue(): number | undefined {
    let due: number | undefined;
    for (const timer of this.#timers.values()) {
      if (due === undefined || timer.due < due) due = timer.due;
    }
    return due;
  }

  /**
   * Moves time on by `ms`, running each timer that falls due on the way at
   * its own time, earliest first, and the promise reactions it starts
   * before the next.
   */
  async tick(ms = 0): Promise<void> {
    const until = this.#now + ms;
    await runMicrotasks();
    for (;;) {
      const next = this.#earliest();
      if (next === undefined || next[1].due > until) break;
      this.#timers.delete(next[0]);
      this.#now = Math.max(this.#now, next[1].due);
      next[1].callback();
      await runMicrotasks();
    }
    this.#now = until;
  }

  /** Moves time to the next timer and runs it (and those due with it). */
  async next(): Promise<boolean> {
    const due = this.nextDue;
    if (due === undefined) return false;
    await this.tick(due - this.#now);
    return true;
  }

  #earliest(): [number, Timer] | undefined {
    let earliest: [number, Timer] | undefined;
    for (const entry of this.#timers) {
      if (earliest === undefined || entry[1].due < earliest[1].due) {
        earliest = entry;
      }
    }
    return earliest;
  }
}
