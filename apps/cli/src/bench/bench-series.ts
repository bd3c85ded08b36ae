/** One sample of a cumulative count: `applied` events done `tMs` after the run's start. */
export interface SeriesPoint {
  readonly tMs: number;
  readonly applied: number;
}

/** A rate over one window, placed at the window's middle. */
export interface RatePoint {
  readonly tMs: number;
  readonly eventsPerSecond: number;
}

/**
 * At most `max` points of `points`, evenly spread and always keeping the first and the last.
 * The kept points are real samples, so rates derived from them stay exact over their spans.
 */
export function downsample<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  if (max < 1) return [];
  if (max === 1) return [points[points.length - 1]!];
  return Array.from({ length: max }, (_, i) => points[Math.round((i * (points.length - 1)) / (max - 1))]!);
}

/** The cumulative count at `tMs`, linear between samples (polls land off the window edges). */
function countAt(points: readonly SeriesPoint[], tMs: number, from: number): { applied: number; index: number } {
  let i = from;
  while (i < points.length - 2 && points[i + 1]!.tMs < tMs) i++;
  const a = points[i]!;
  const b = points[Math.min(i + 1, points.length - 1)]!;
  if (b.tMs <= a.tMs || tMs <= a.tMs) return { applied: a.applied, index: i };
  if (tMs >= b.tMs) return { applied: b.applied, index: i };
  return { applied: a.applied + ((b.applied - a.applied) * (tMs - a.tMs)) / (b.tMs - a.tMs), index: i };
}

/**
 * Events/s per `windowMs` window from a cumulative series (samples in time order), from its
 * first sample to its last; the last window may be shorter. Fewer than two samples span no
 * time, so they give no rate.
 */
export function windowRates(points: readonly SeriesPoint[], windowMs: number): RatePoint[] {
  if (points.length < 2 || windowMs <= 0) return [];
  const start = points[0]!.tMs;
  const end = points[points.length - 1]!.tMs;
  const rates: RatePoint[] = [];
  let from = countAt(points, start, 0);
  for (let t = start; t < end; t += windowMs) {
    const until = Math.min(end, t + windowMs);
    const to = countAt(points, until, from.index);
    rates.push({ tMs: (t + until) / 2, eventsPerSecond: ((to.applied - from.applied) * 1000) / (until - t) });
    from = to;
  }
  return rates;
}
