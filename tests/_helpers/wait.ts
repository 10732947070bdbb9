/**
 * Test helper: waiting for observable state instead of sleeping.
 *
 * A test never sleeps and then acts on the hope that something has happened
 * by then: it polls what it can observe (a reply, a log line, a process's
 * exit) with {@linkcode waitFor}, and the timeout only bounds that wait.
 *
 * @module
 */

/** How a {@linkcode waitFor} polls. */
export interface WaitOptions {
  /** Give up (reject) after this long. Default 20 s. */
  readonly timeoutMs?: number;
  /** What is awaited, for the failure message, e.g. "the pool to fill". */
  readonly what?: string;
  /** Pause between two probes. Default 20 ms. */
  readonly intervalMs?: number;
  /**
   * Called on timeout; its text is appended to the failure message (e.g.
   * the service's log, or the last value seen).
   */
  readonly explain?: () => string;
}

/** Rejects a {@linkcode waitFor} that ran out of time. */
export class WaitTimeout extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WaitTimeout";
  }
}

/** Resolves after `ms`: for pacing a poll only, never to gate an action. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `probe` until it returns a value other than `undefined`, `null` or
 * `false`, and resolves to that value. Rejects with a
 * {@linkcode WaitTimeout} after `timeoutMs`, or with whatever `probe`
 * throws.
 *
 * @example
 * ```ts
 * const ping = await waitFor(async () => {
 *   const reply = await service.ping();
 *   return reply.pool.depth === 3 ? reply : undefined;
 * }, { what: "the pool to fill" });
 * ```
 */
export async function waitFor<T>(
  probe: () =>
    | T
    | undefined
    | null
    | false
    | Promise<T | undefined | null | false>,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = performance.now() + timeoutMs;
  while (true) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (performance.now() >= deadline) {
      const extra = options.explain?.();
      throw new WaitTimeout(
        `timed out after ${timeoutMs} ms waiting for ${
          options.what ?? "a condition"
        }${extra ? `\n${extra}` : ""}`,
      );
    }
    await pause(options.intervalMs ?? 20);
  }
}

/** Anything whose log (stderr) can be read as it grows. */
export interface LogSource {
  /** Everything it has written to stderr so far. */
  stderr(): string;
}

/** How a {@linkcode waitForLog} waits. */
export interface LogWaitOptions {
  /** Lines matching the pattern to wait for. Default 1. */
  readonly count?: number;
  /** Give up after this long. Default 20 s. */
  readonly timeoutMs?: number;
}

/** The lines of `source`'s log that match `pattern`. */
export function logLines(source: LogSource, pattern: RegExp): string[] {
  return source.stderr().split("\n").filter((line) => pattern.test(line));
}

/**
 * Waits until `source` has logged at least `count` lines matching
 * `pattern`, and resolves to all the matching lines. On timeout the error
 * holds the whole log.
 */
export function waitForLog(
  source: LogSource,
  pattern: RegExp,
  options: LogWaitOptions = {},
): Promise<string[]> {
  const count = options.count ?? 1;
  return waitFor(() => {
    const lines = logLines(source, pattern);
    return lines.length >= count ? lines : undefined;
  }, {
    timeoutMs: options.timeoutMs,
    what: `${count} log line(s) matching ${pattern}`,
    explain: () =>
      `${logLines(source, pattern).length} seen; the log:\n${source.stderr()}`,
  });
}

/**
 * Resolves to `promise`'s value, or to `undefined` once `ms` have passed
 * without it settling (a bound on a wait, not a pause).
 */
export async function within<T>(
  promise: Promise<T>,
  ms: number,
): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
