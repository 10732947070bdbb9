/**
 * The log's account of requests: each one at debug level, and at info a
 * tally per interval, one line per reply code with its count (`overloaded`
 * at warn). A client can send requests as fast as the service answers
 * them, `overloaded` ones the fastest; a line each would let it flood the
 * log (and journald's rate limit would then drop real events), so what the
 * info level writes is bounded by the number of codes per interval, not by
 * the traffic. The metrics count every request all the same.
 *
 * @example
 * ```ts
 * import { Logger } from "./log.ts";
 * import { RequestLog } from "./request_log.ts";
 *
 * const requests = new RequestLog(new Logger("info"), 10_000);
 * requests.record({ type: "ping", code: "ok" }, 0.12);
 * requests.record({ type: "ping", code: "overloaded" }, 0.01);
 * requests.close();
 * // ... INFO requests code=ok count=1 seconds=0.00
 * // ... WARN requests code=overloaded count=1 seconds=0.00
 * ```
 * @module
 */

import type { Logger } from "./log.ts";

/** How often the tally is written, by default: every 10 s. */
export const REQUEST_LOG_INTERVAL_MS = 10_000;

/** What the log is told of one request. */
export interface LoggedOutcome {
  /** The operation, or `invalid`. */
  readonly type: string;
  /** `ok`, or the error's code. */
  readonly code: string;
}

/** Logs requests: each at debug, and a tally by code per interval. */
export class RequestLog {
  readonly #log: Logger;
  readonly #counts = new Map<string, number>();
  readonly #timer: ReturnType<typeof setInterval>;
  #since = performance.now();

  /** Writes the tally every `intervalMs` (unreferenced: it keeps no process alive). */
  constructor(log: Logger, intervalMs = REQUEST_LOG_INTERVAL_MS) {
    this.#log = log;
    this.#timer = setInterval(() => this.flush(), intervalMs);
    Deno.unrefTimer(this.#timer);
  }

  /** Counts one request, and logs it at debug level. */
  record(outcome: LoggedOutcome, ms: number): void {
    this.#counts.set(outcome.code, (this.#counts.get(outcome.code) ?? 0) + 1);
    if (this.#log.enabled("debug")) {
      this.#log.debug("request", {
        type: outcome.type,
        code: outcome.code,
        ms,
      });
    }
  }

  /** Writes the tally since the last one: a line per code seen. */
  flush(): void {
    const now = performance.now();
    const seconds = (now - this.#since) / 1000;
    this.#since = now;
    for (const [code, count] of this.#counts) {
      const fields = { code, count, seconds };
      if (code === "overloaded") this.#log.warn("requests", fields);
      else this.#log.info("requests", fields);
    }
    this.#counts.clear();
  }

  /** Writes the last tally and stops the timer. */
  close(): void {
    clearInterval(this.#timer);
    this.flush();
  }
}
