import type { BenchFigures } from '../bench/bench-report';
import type { LagBucket } from '../bench/lag-series';

const lagMs = (p99: number) => ({ p50: p99 / 4, p95: p99 / 2, p99, max: p99 * 2 });
const cumulative = (eventsPerSecond: number, seconds: number, everyMs: number) =>
  Array.from({ length: Math.floor((seconds * 1000) / everyMs) + 1 }, (_, i) => ({ tMs: i * everyMs, applied: Math.round((i * everyMs * eventsPerSecond) / 1000) }));
const buckets = (seconds: number, rate: number): LagBucket[] =>
  Array.from({ length: seconds }, (_, s) => (s === 3 ? { tS: s, events: 0, p50: null, p99: null, max: null } : { tS: s, events: rate, p50: 20 + s, p99: 60 + s, max: 90 + s }));

/** Figures shaped like a bench run's (not measured: for the report and chart tests). */
export function benchFigures(): BenchFigures {
  const run = { verified: true, mismatches: 0, peakRssBytes: {}, cpu: { busy: 0.6, steal: 0.01 } };
  return {
    catchup: [
      { ...run, projectors: 1, events: 200_000, seconds: 5, eventsPerSecond: 40_000, series: cumulative(40_000, 5, 50) },
      { ...run, projectors: 2, events: 200_000, seconds: 6, eventsPerSecond: 33_333, series: cumulative(33_333, 6, 50) },
    ],
    steady: [
      { ...run, rate: 2000, projectors: 1, achievedRate: 2000, seconds: 10, events: 20_000, lagMs: lagMs(60), warmup: { seconds: 5, events: 10_000, lagMs: lagMs(900) }, series: buckets(10, 2000), processCpuPercent: { ingest: 18.2, 'projector-0': 39.6 }, surroundingCpuPercent: { walsender: 12.44, 'appender-backend': 16.1, bench: 19.6, redis: 14.1, other: 30.5 }, gcPauses: { ingest: { pauses: 73, totalMs: 421.66, over10Ms: 8, longestAtMostMs: 20 }, 'projector-0': { pauses: 1200, totalMs: 2500, over10Ms: 0, longestAtMostMs: null } } },
      { ...run, rate: 10_000, projectors: 1, achievedRate: 9990, seconds: 10, events: 99_900, lagMs: lagMs(120), warmup: { seconds: 5, events: 50_000, lagMs: lagMs(1500) }, series: buckets(10, 10_000), processCpuPercent: {}, surroundingCpuPercent: {}, gcPauses: {} },
    ],
    baseline: {
      sweep: [{ concurrency: 20, events: 20_000, failed: 0, seconds: 5, eventsPerSecond: 4000, series: cumulative(4000, 5, 50) }],
      best: { concurrency: 20, events: 200_000, failed: 0, seconds: 55, eventsPerSecond: 3636, series: cumulative(3636, 55, 50) },
    },
    ceiling: { events: 200_000, connections: 2, batchSize: 1000, seconds: 2.5, eventsPerSecond: 80_000, verified: true },
    peakRssBytes: { ingest: 2 ** 28 },
  };
}
