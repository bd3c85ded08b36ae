/** Percentiles of a sample, nearest-rank method. */
export interface LagPercentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentiles (p in 0..100) of `values`; all zero for an empty sample. */
export function percentiles(values: ArrayLike<number>): LagPercentiles {
  return percentilesOfSorted(Float64Array.from(values).sort());
}

/** As `percentiles`, for values already sorted ascending (no copy). */
export function percentilesOfSorted(sorted: Float64Array): LagPercentiles {
  if (sorted.length === 0) return { p50: 0, p95: 0, p99: 0, max: 0 };
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { p50: at(50), p95: at(95), p99: at(99), max: sorted[sorted.length - 1]! };
}
