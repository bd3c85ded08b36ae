import { percentilesOfSorted, type LagPercentiles } from './lag-stats';

/** The events first seen projected during one bucket of a steady run, and their lags. */
export interface LagBucket {
  /** Start of the bucket, seconds since the run's first commit. */
  readonly tS: number;
  /** Events seen projected in the bucket (their throughput). */
  readonly events: number;
  /** Null when no event was seen in the bucket: there is no lag to report, not a lag of 0. */
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/**
 * Lag per `bucketMs` bucket of observation time. `observedMs[i]` (ms since the first commit)
 * and `lagMs[i]` describe event i. Counting first, then filling one array grouped by bucket,
 * keeps the extra memory to one copy of the lags even for a million events.
 */
export function lagBuckets(observedMs: ArrayLike<number>, lagMs: ArrayLike<number>, bucketMs = 1000): LagBucket[] {
  if (observedMs.length === 0) return [];
  const bucketOf = (i: number) => Math.max(0, Math.floor(observedMs[i]! / bucketMs));
  let last = 0;
  for (let i = 0; i < observedMs.length; i++) last = Math.max(last, bucketOf(i));
  const starts = new Uint32Array(last + 2);
  for (let i = 0; i < observedMs.length; i++) starts[bucketOf(i) + 1]!++;
  for (let b = 1; b < starts.length; b++) starts[b]! += starts[b - 1]!;
  const grouped = new Float64Array(observedMs.length);
  const fill = starts.slice(0, last + 1);
  for (let i = 0; i < observedMs.length; i++) grouped[fill[bucketOf(i)]!++] = lagMs[i]!;
  return Array.from({ length: last + 1 }, (_, b) => {
    const lags = grouped.subarray(starts[b]!, starts[b + 1]!).sort();
    const p = lags.length > 0 ? percentilesOfSorted(lags) : null;
    return { tS: (b * bucketMs) / 1000, events: lags.length, p50: p?.p50 ?? null, p99: p?.p99 ?? null, max: p?.max ?? null };
  });
}

/**
 * Percentiles of the events committed before `cutMs` (the warm-up) and of those committed
 * from it on. An event's commit time is its observation time minus its lag: the split is by
 * when the event was written, so a slow warm-up cannot leak into the steady figure by being
 * observed late.
 */
export function splitAtCommit(observedMs: ArrayLike<number>, lagMs: ArrayLike<number>, cutMs: number): { before: { events: number; lagMs: LagPercentiles }; after: { events: number; lagMs: LagPercentiles } } {
  const early = (i: number) => observedMs[i]! - lagMs[i]! < cutMs;
  let count = 0;
  for (let i = 0; i < observedMs.length; i++) if (early(i)) count++;
  const before = new Float64Array(count);
  const after = new Float64Array(observedMs.length - count);
  let b = 0;
  let a = 0;
  for (let i = 0; i < observedMs.length; i++) {
    if (early(i)) before[b++] = lagMs[i]!;
    else after[a++] = lagMs[i]!;
  }
  return { before: { events: before.length, lagMs: percentilesOfSorted(before.sort()) }, after: { events: after.length, lagMs: percentilesOfSorted(after.sort()) } };
}
