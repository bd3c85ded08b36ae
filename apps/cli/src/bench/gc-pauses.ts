import { METRIC } from '@ledgerflow/metrics';

/** A process's garbage-collection pause histogram, all kinds summed, as one scrape shows it. */
export interface GcPauseTotals {
  readonly count: number;
  readonly sumSeconds: number;
  /** Cumulative pauses per upper bound in seconds (`le`), +Inf left out. */
  readonly buckets: ReadonlyMap<number, number>;
}

/** A process's pauses between two scrapes: what a run's events had to wait out there. */
export interface GcPauses {
  readonly pauses: number;
  readonly totalMs: number;
  /** Pauses longer than 10 ms. */
  readonly over10Ms: number;
  /** The smallest bucket bound holding every pause of the window (ms); null if some exceeded the last. */
  readonly longestAtMostMs: number | null;
}

const LINE = new RegExp(`^${METRIC.gcPause}_(count|sum|bucket)\\{([^}]*)\\} (\\S+)$`);
const LE = /(?:^|,)le="([^"]+)"/;

/** Reads the pause histogram (`ledgerflow_process_gc_pause_seconds`) out of Prometheus text. */
export function readGcPauseTotals(text: string): GcPauseTotals {
  let count = 0;
  let sumSeconds = 0;
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const value = Number(m[3]);
    if (m[1] === 'count') count += value;
    else if (m[1] === 'sum') sumSeconds += value;
    else {
      const le = LE.exec(m[2]!)?.[1];
      if (le === undefined || le === '+Inf') continue;
      buckets.set(Number(le), (buckets.get(Number(le)) ?? 0) + value);
    }
  }
  return { count, sumSeconds, buckets };
}

/** The pauses between scrape `before` and scrape `after` of the same process. */
export function gcPausesBetween(before: GcPauseTotals, after: GcPauseTotals): GcPauses {
  const pauses = after.count - before.count;
  const within = (le: number) => (after.buckets.get(le) ?? 0) - (before.buckets.get(le) ?? 0);
  const bounds = [...after.buckets.keys()].sort((a, b) => a - b);
  const longest = bounds.find((le) => within(le) >= pauses);
  return {
    pauses,
    totalMs: (after.sumSeconds - before.sumSeconds) * 1000,
    over10Ms: pauses - within(0.01),
    longestAtMostMs: pauses === 0 ? 0 : longest === undefined ? null : longest * 1000,
  };
}
