// Summary statistics for tests and the benchmark.

/**
 * The `p`th percentile of `values` by the nearest-rank method: the smallest
 * value such that at least p % of the values are at or below it, i.e. the
 * value of rank ceil(p / 100 · n) (1-based) in ascending order. `p` is in
 * percent, 0 to 100: `percentile(xs, 50)` is the median (the lower middle
 * one for an even count), `percentile(xs, 99)` the 99th percentile,
 * `percentile(xs, 100)` the maximum, `percentile(xs, 0)` the minimum. Always
 * one of the values, never an interpolation. `values` may be sorted or not;
 * it is not modified. An empty list gives NaN.
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) {
    throw new RangeError(`percentile: p must be from 0 to 100, got ${p}`);
  }
  if (values.length === 0) return NaN;
  const sorted = isAscending(values)
    ? values
    : [...values].sort((x, y) => x - y);
  const rank = Math.max(1, Math.ceil(p * sorted.length / 100));
  return sorted[rank - 1];
}

function isAscending(values: readonly number[]): boolean {
  for (let i = 1; i < values.length; i++) {
    if (values[i - 1] > values[i]) return false;
  }
  return true;
}
