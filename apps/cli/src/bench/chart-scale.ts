/** An axis: its domain, where its ticks go, and a map from a value to 0..1 along the axis. */
export interface Scale {
  readonly lo: number;
  readonly hi: number;
  /** Ascending, within [lo, hi]. */
  readonly ticks: readonly number[];
  readonly at: (value: number) => number;
}

/** Floating-point steps (0.1 × 3 = 0.30000000000000004) must not reach a tick label. */
const clean = (v: number) => Number(v.toPrecision(12));

/** The round step (1, 2 or 5 × a power of ten) nearest above `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const residual = raw / power;
  return clean((residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10) * power);
}

/**
 * A linear scale over `values` (non-finite ones ignored), widened to round ticks at both ends,
 * about `target` of them. An empty or one-valued sample still gets a usable domain.
 */
export function linearScale(values: readonly number[], target = 5): Scale {
  const finite = values.filter(Number.isFinite);
  let min = finite.length > 0 ? Math.min(...finite) : 0;
  let max = finite.length > 0 ? Math.max(...finite) : 1;
  if (max <= min) [min, max] = min === 0 ? [0, 1] : [Math.min(0, min), Math.max(0, max)];
  if (max <= min) max = min + 1;
  const step = niceStep((max - min) / target);
  const first = Math.floor(min / step);
  const last = Math.ceil(max / step);
  const ticks = Array.from({ length: last - first + 1 }, (_, k) => clean((first + k) * step));
  const lo = ticks[0]!;
  const hi = ticks[ticks.length - 1]!;
  return { lo, hi, ticks, at: (v) => (v - lo) / (hi - lo) };
}

/**
 * A log10 scale over the positive `values`, from the power of ten at or below the smallest
 * to the one at or above the largest. Ticks at 1-2-5 within two decades, else at each power
 * of ten, so labels do not crowd. Values at or below the domain sit on its bottom edge.
 */
export function logScale(values: readonly number[]): Scale {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  const lo = positive.length > 0 ? 10 ** Math.floor(Math.log10(Math.min(...positive))) : 1;
  let hi = positive.length > 0 ? 10 ** Math.ceil(Math.log10(Math.max(...positive))) : 10;
  if (hi <= lo) hi = lo * 10;
  const decades = Math.round(Math.log10(hi / lo));
  const steps = decades <= 2 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let d = 0; d <= decades; d++) for (const s of steps) if (d < decades || s === 1) ticks.push(clean(lo * 10 ** d * s));
  return { lo, hi, ticks, at: (v) => (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / decades };
}

/** A tick label: thousands grouped, at most three decimals. */
export function formatTick(v: number): string {
  return v.toLocaleString('en-US', { maximumFractionDigits: 3 });
}
