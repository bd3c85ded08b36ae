import { downsample, type SeriesPoint } from './bench-series';
import type { CatchUpResult } from './catch-up-run';
import { STEAL_WARNING_SHARE, type CpuShares } from './host-cpu';
import type { BaselineResult } from './naive-baseline';
import type { LagPercentiles } from './lag-stats';
import type { GcPauses } from './gc-pauses';
import type { CeilingResult } from './sink-ceiling';
import type { SteadyResult } from './steady-state';

/** The machine the figures come from. */
export interface MachineInfo {
  readonly cores: number;
  readonly cpu_model: string;
  readonly memory_bytes: number;
  readonly platform: string;
  readonly versions: Record<string, string>;
}

/** Everything one bench run measured. */
export interface BenchFigures {
  readonly catchup: readonly CatchUpResult[];
  readonly steady: readonly SteadyResult[];
  readonly baseline: BaselineResult;
  readonly ceiling: CeilingResult & { readonly verified: boolean };
  readonly peakRssBytes: Record<string, number>;
}

const round = (n: number, digits = 0) => Number(n.toFixed(digits));

/** A run's CPU shares as percentages with one decimal; null where the machine does not report them. */
function cpuJson(shares: CpuShares | null): { busy_percent: number; steal_percent: number } | null {
  return shares ? { busy_percent: round(shares.busy * 100, 1), steal_percent: round(shares.steal * 100, 1) } : null;
}

/** A chart's worth of a count-over-time series, in columns: the JSON stays small. */
const JSON_SERIES_POINTS = 200;
function seriesJson(series: readonly SeriesPoint[]): { t_ms: number[]; applied: number[] } {
  const kept = downsample(series, JSON_SERIES_POINTS);
  return { t_ms: kept.map((p) => round(p.tMs)), applied: kept.map((p) => p.applied) };
}

const percentsJson = (percents: Record<string, number>) => Object.fromEntries(Object.entries(percents).map(([name, percent]) => [name, round(percent, 1)]));

function steadyJson(r: SteadyResult): Record<string, unknown> {
  return {
    rate: r.rate,
    projectors: r.projectors,
    achieved_rate: round(r.achievedRate),
    seconds: round(r.seconds, 3),
    events: r.events,
    lag_ms: r.lagMs,
    warmup: { seconds: r.warmup.seconds, events: r.warmup.events, lag_ms: r.warmup.lagMs },
    series: r.series.map((b) => ({ t_s: b.tS, events: b.events, p50: b.p50, p99: b.p99, max: b.max })),
    verified: r.verified,
    cpu: cpuJson(r.cpu),
    process_cpu_percent: percentsJson(r.processCpuPercent),
    surrounding_cpu_percent: percentsJson(r.surroundingCpuPercent),
    gc_pauses: Object.fromEntries(Object.entries(r.gcPauses).map(([name, g]) => [name, { pauses: g.pauses, total_ms: round(g.totalMs, 1), over_10ms: g.over10Ms, longest_ms_at_most: g.longestAtMostMs }])),
  };
}

/** Runs of Ledgerflow that did not verify (their figures must not be reported). */
export function unverifiedRuns(f: Pick<BenchFigures, 'catchup' | 'steady'>): string[] {
  return [...f.catchup.filter((r) => !r.verified).map((r) => `catch-up with ${r.projectors} projector(s): ${r.mismatches} mismatches`), ...f.steady.filter((r) => !r.verified).map((r) => `steady state at ${r.rate}/s with ${r.projectors} projector(s): ${r.mismatches} mismatches`)];
}

/** The `--json-file` document (snake_case keys; only built from verified runs). */
export function benchJson(f: BenchFigures, machine: MachineInfo, options: object): Record<string, unknown> {
  const best = f.catchup.reduce((a, b) => (b.eventsPerSecond > a.eventsPerSecond ? b : a));
  return {
    date: new Date().toISOString(),
    options,
    machine,
    catchup: {
      events_per_second: round(best.eventsPerSecond),
      projectors: best.projectors,
      runs: f.catchup.map((r) => ({ projectors: r.projectors, events: r.events, seconds: round(r.seconds, 3), events_per_second: round(r.eventsPerSecond), verified: r.verified, cpu: cpuJson(r.cpu), series: seriesJson(r.series) })),
    },
    steady: f.steady.map(steadyJson),
    baseline: {
      events_per_second: round(f.baseline.best.eventsPerSecond),
      concurrency: f.baseline.best.concurrency,
      events: f.baseline.best.events,
      seconds: round(f.baseline.best.seconds, 3),
      failed_jobs: f.baseline.best.failed,
      series: seriesJson(f.baseline.best.series),
      sweep: f.baseline.sweep.map((r) => ({ concurrency: r.concurrency, events: r.events, events_per_second: round(r.eventsPerSecond) })),
    },
    ceiling: { events_per_second: round(f.ceiling.eventsPerSecond), connections: f.ceiling.connections, batch_size: f.ceiling.batchSize, events: f.ceiling.events, seconds: round(f.ceiling.seconds, 3), verified: f.ceiling.verified },
    ratios: { vs_baseline: round(best.eventsPerSecond / f.baseline.best.eventsPerSecond, 2), vs_ceiling: round(best.eventsPerSecond / f.ceiling.eventsPerSecond, 2) },
    peak_rss_bytes: f.peakRssBytes,
  };
}

const n = (v: number) => Math.round(v).toLocaleString('en-US');

/** The terminal table. */
export function benchTable(f: BenchFigures): string {
  const best = f.catchup.reduce((a, b) => (b.eventsPerSecond > a.eventsPerSecond ? b : a));
  const lines = ['', 'run                                          events/s   vs Ledgerflow catch-up'];
  const row = (name: string, eps: number) => lines.push(`${name.padEnd(42)} ${n(eps).padStart(10)}   ${(eps / best.eventsPerSecond).toFixed(2).padStart(6)}×`);
  for (const r of f.catchup) row(`Ledgerflow catch-up, ${r.projectors} projector(s)`, r.eventsPerSecond);
  row(`naive baseline (job per event, conc. ${f.baseline.best.concurrency})`, f.baseline.best.eventsPerSecond);
  row(`sink ceiling (unnest, ${f.ceiling.connections} connections)`, f.ceiling.eventsPerSecond);
  lines.push(`Ledgerflow is ${(best.eventsPerSecond / f.baseline.best.eventsPerSecond).toFixed(1)}× the naive baseline and ${((100 * best.eventsPerSecond) / f.ceiling.eventsPerSecond).toFixed(0)}% of the sink ceiling`);
  if (f.steady.length > 0) {
    const lags = (l: LagPercentiles) => [l.p50, l.p95, l.p99, l.max].map((v) => n(v).padStart(6)).join('  ');
    lines.push('', 'steady state    rate   achieved   lag p50    p95     p99     max (ms; after the warm-up)');
    for (const s of f.steady) {
      lines.push(`${`  ${s.projectors} projector(s)`.padEnd(16)} ${n(s.rate).padStart(7)}   ${n(s.achievedRate).padStart(8)}   ${lags(s.lagMs)}`);
      lines.push(`${`  warm-up (first ${s.warmup.seconds} s)`.padEnd(34)}${lags(s.warmup.lagMs)}`);
      const percents = (p: Record<string, number>) => Object.entries(p).map(([name, percent]) => `${name} ${percent.toFixed(0)}`).join(', ');
      if (Object.keys(s.processCpuPercent).length > 0) lines.push(`  CPU, % of a core: ${percents(s.processCpuPercent)}`);
      if (Object.keys(s.surroundingCpuPercent).length > 0) lines.push(`  around it, % of a core: ${percents(s.surroundingCpuPercent)}`);
      if (Object.keys(s.gcPauses).length > 0) lines.push(`  GC pauses: ${gcPauseText(s.gcPauses)}`);
    }
  }
  lines.push('', `peak RSS: ${Object.entries(f.peakRssBytes).map(([k, v]) => `${k} ${(v / 2 ** 20).toFixed(0)} MiB`).join(', ')}`);
  lines.push(...stealLines(f));
  return lines.join('\n');
}

/** `ingest 73 (420 ms, 8 over 10 ms, longest ≤ 20 ms), …` */
function gcPauseText(pauses: Record<string, GcPauses>): string {
  const longest = (g: GcPauses) => (g.longestAtMostMs === null ? 'longest over 1 s' : `longest ≤ ${n(g.longestAtMostMs)} ms`);
  return Object.entries(pauses)
    .map(([name, g]) => `${name} ${n(g.pauses)} (${n(g.totalMs)} ms, ${n(g.over10Ms)} over 10 ms, ${longest(g)})`)
    .join(', ');
}

/**
 * CPU time the host took from this machine during each Ledgerflow run (a VM's `steal`): on a
 * busy host it is large and varies, and lag figures then say as much about the host as about
 * Ledgerflow. Nothing where the machine does not report it.
 */
function stealLines(f: BenchFigures): string[] {
  const runs: [string, CpuShares | null][] = [...f.catchup.map((r): [string, CpuShares | null] => [`catch-up ${r.projectors}p`, r.cpu]), ...f.steady.map((r): [string, CpuShares | null] => [`${n(r.rate)}/s ${r.projectors}p`, r.cpu])];
  const known = runs.filter((r): r is [string, CpuShares] => r[1] !== null);
  if (known.length === 0) return [];
  const lines = [`CPU stolen by the host: ${known.map(([name, cpu]) => `${name} ${(cpu.steal * 100).toFixed(0)}%`).join(', ')}`];
  if (known.some(([, cpu]) => cpu.steal > STEAL_WARNING_SHARE)) lines.push(`warning: the host took more than ${STEAL_WARNING_SHARE * 100}% of this machine's CPU in some runs; compare ratios within this run, not figures across runs or machines`);
  return lines;
}
