import type { BenchChartInput, ChartReference, ChartSeries } from './bench-chart';
import type { BenchFigures } from './bench-report';
import { windowRates, type SeriesPoint } from './bench-series';
import type { SteadyResult } from './steady-state';

/** What the chart says besides the figures. */
export interface ChartContext {
  /** ISO date (YYYY-MM-DD) of the run. */
  readonly date: string;
  readonly cores: number;
  /** LEDGERFLOW_PARTITIONS of the run: set in the environment, so the command line does not show it. */
  readonly partitions: number;
  /** The command line that produced the figures. */
  readonly command: string;
  /** Lag goal (ms) per append rate (events/s); rates without a goal get no goal line. */
  readonly lagGoalsMs: ReadonlyMap<number, number>;
}

const CATCH_UP_COLORS = ['#1f77b4', '#2ca02c', '#17becf', '#9467bd'];
const BASELINE_COLOR = '#d62728';
const CEILING_COLOR = '#555555';
const RATE_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b'];
const n = (v: number) => Math.round(v).toLocaleString('en-US');

/** Short runs need narrow windows to show a shape; long ones wider windows to smooth poll jitter. */
function throughputPoints(series: readonly SeriesPoint[]): { x: number; y: number }[] {
  const durationMs = series.length > 0 ? series[series.length - 1]!.tMs - series[0]!.tMs : 0;
  return windowRates(series, durationMs <= 10_000 ? 250 : 500).map((r) => ({ x: r.tMs / 1000, y: r.eventsPerSecond }));
}

/** Each bucket is drawn at its middle; buckets with no event seen have no lag to draw. */
function lagPoints(run: SteadyResult, key: 'p50' | 'p99'): { x: number; y: number }[] {
  return run.series.flatMap((b) => (b[key] === null ? [] : [{ x: b.tS + 0.5, y: b[key] }]));
}

function lagPanelParts(steady: readonly SteadyResult[], goals: ReadonlyMap<number, number>): { series: ChartSeries[]; references: ChartReference[] } {
  const color = (i: number) => RATE_COLORS[i % RATE_COLORS.length]!;
  const fleets = new Set(steady.map((r) => r.projectors)).size;
  // The fleet is named only when runs of several fleets share the panel.
  const name = (r: SteadyResult) => (fleets > 1 ? `${n(r.rate)}/s ${r.projectors}p` : `${n(r.rate)}/s`);
  const series = steady.flatMap((r, i) => [
    { label: `${name(r)} p99`, color: color(i), points: lagPoints(r, 'p99') },
    { label: `${name(r)} p50`, color: color(i), points: lagPoints(r, 'p50'), faint: true },
  ]);
  // One goal line per rate, in the colour of its first run.
  const firstOfRate = steady.flatMap((r, i) => (steady.findIndex((o) => o.rate === r.rate) === i ? [[r, i] as const] : []));
  const references = firstOfRate.flatMap(([r, i]) => {
    const goal = goals.get(r.rate);
    return goal === undefined ? [] : [{ label: `goal ${n(goal)} ms at ${n(r.rate)}/s`, y: goal, color: color(i) }];
  });
  return { series, references };
}

/** The two panels of `ledgerflow bench`'s chart from its figures. */
export function benchChartInput(f: BenchFigures, context: ChartContext): BenchChartInput {
  const catchUp = f.catchup.map((r, i) => ({ label: `catch-up, ${r.projectors} projector(s)`, color: CATCH_UP_COLORS[i % CATCH_UP_COLORS.length]!, points: throughputPoints(r.series) }));
  const baseline = { label: `naive baseline (conc. ${f.baseline.best.concurrency})`, color: BASELINE_COLOR, points: throughputPoints(f.baseline.best.series) };
  const warmupSeconds = Math.max(0, ...f.steady.map((r) => r.warmup.seconds));
  return {
    title: `Ledgerflow bench — ${context.date} — ${context.cores} cores — ${context.partitions} partitions`,
    subtitle: context.command,
    throughput: {
      title: 'Catch-up throughput',
      xLabel: 'seconds since the first projected event (baseline: since its worker started)',
      yLabel: 'events/s',
      yScale: 'linear',
      series: [...catchUp, baseline],
      references: [{ label: `sink ceiling ${n(f.ceiling.eventsPerSecond)}/s`, y: f.ceiling.eventsPerSecond, color: CEILING_COLOR }],
    },
    lag: {
      title: 'Steady-state commit-to-projection lag, per second (p99 solid, p50 light)',
      xLabel: 'seconds since the first commit',
      yLabel: 'lag (ms, log scale)',
      yScale: 'log',
      ...lagPanelParts(f.steady, context.lagGoalsMs),
      ...(warmupSeconds > 0 ? { shade: { from: 0, to: warmupSeconds, label: `warm-up (first ${warmupSeconds} s)` } } : {}),
    },
  };
}
