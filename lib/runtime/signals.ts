/**
 * SIGINT and SIGTERM: the first asks for a graceful stop, a second one at
 * least a second later for an immediate one.
 *
 * A signal to the whole process group (Ctrl-C, systemd) reaches the service
 * twice under `deno task`, once directly and once forwarded: a repeat within
 * `echoMs` of the first is that echo, not an operator's second signal, and
 * is ignored.
 *
 * @example
 * ```ts
 * import { onStopSignals } from "./signals.ts";
 *
 * const remove = onStopSignals({
 *   stop: (signal) => console.log(`draining after ${signal}`),
 *   force: (signal) => console.log(`stopping now after ${signal}`),
 * });
 * // ... serve ...
 * remove();
 * ```
 * @module
 */

/** What to do on each kind of stop signal. */
export interface StopHandlers {
  /** The first signal: stop taking requests, answer those in flight. */
  stop(signal: Deno.Signal): void;
  /** A later signal, past the echo window: stop now. */
  force(signal: Deno.Signal): void;
}

/** The signals that stop the service. */
export const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Listens for {@linkcode STOP_SIGNALS}; returns a function that stops
 * listening. `now` is the clock, in milliseconds (tests pass their own).
 */
export function onStopSignals(
  handlers: StopHandlers,
  echoMs = 1000,
  now: () => number = () => performance.now(),
): () => void {
  const listener = stopSignalFilter(handlers, echoMs, now);
  const listeners = STOP_SIGNALS.map((signal) => {
    const handler = () => listener(signal);
    Deno.addSignalListener(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of listeners) {
      Deno.removeSignalListener(signal, handler);
    }
  };
}

/**
 * The decision alone, without the signal listeners: calls `stop` on the
 * first signal, ignores repeats within `echoMs`, calls `force` after that.
 */
export function stopSignalFilter(
  handlers: StopHandlers,
  echoMs = 1000,
  now: () => number = () => performance.now(),
): (signal: Deno.Signal) => void {
  let firstAt: number | undefined;
  return (signal) => {
    const at = now();
    if (firstAt === undefined) {
      firstAt = at;
      handlers.stop(signal);
    } else if (at - firstAt >= echoMs) {
      handlers.force(signal);
    }
  };
}
