/**
 * Summary statistics for the benchmark: nearest-rank percentiles and the
 * summary row of one load run.
 *
 * @example
 * ```ts
 * import { percentile } from "./stats.ts";
 *
 * percentile([3, 1, 2], 50); // 2
 * ```
 * @module
 */

/**
 * The `p`th percentile of `values` by the nearest-rank method: the smallest
 * value such that at least p % of the values are at or below it. Always one
 * of the values, never an interpolation; NaN for an empty list. `values` is
 * not modified.
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) {
    throw new RangeError(`percentile: p must be from 0 to 100, got ${p}`);
  }
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const rank = Math.max(1, Math.ceil(p * sorted.length / 100));
  return sorted[rank - 1];
}

/** One load run: who asked, how much, how fast, and what it cost. */
export interface LoadRow {
  /** What was asked, such as `decrypt_fernet`. */
  readonly name: string;
  /** Client processes, each with one REQ socket. */
  readonly clients: number;
  readonly requests: number;
  /** Replies that held `"error"`, and requests that timed out. */
  readonly errors: number;
  /** The load's wall time, from the common start to the last reply. */
  readonly seconds: number;
  /** Replies per second over `seconds`. */
  readonly throughput: number;
  /** Latency percentiles and maximum, in milliseconds. */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  /** The service's CPU time (user + system) over the load, in seconds. */
  readonly serviceCpuSeconds?: number;
  /**
   * The service's CPU time over the load by kind of thread (`socket`,
   * `request`, `zmq_io`, `other`), in seconds, where /proc could be read.
   */
  readonly serviceThreadCpuSeconds?: Readonly<Record<string, number>>;
  /** All clients' CPU time (user + system) over the load, in seconds. */
  readonly clientCpuSeconds?: number;
  /** What the load clients were (pyzmq, or Deno's FFI). */
  readonly client?: string;
  note?: string;
}

/** The row for `latencies` (milliseconds) over `seconds`. */
export function summarize(
  name: string,
  clients: number,
  latencies: readonly number[],
  errors: number,
  seconds: number,
  cost: Pick<
    LoadRow,
    | "serviceCpuSeconds"
    | "serviceThreadCpuSeconds"
    | "clientCpuSeconds"
    | "client"
  > = {},
): LoadRow {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    name,
    clients,
    requests: sorted.length,
    errors,
    seconds,
    throughput: seconds > 0 ? sorted.length / seconds : NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    ...cost,
  };
}

/** `value` with `digits` decimals, or `-` when it is not a finite number. */
export function fmt(value: number | undefined, digits = 2): string {
  return value !== undefined && Number.isFinite(value)
    ? value.toFixed(digits)
    : "-";
}
