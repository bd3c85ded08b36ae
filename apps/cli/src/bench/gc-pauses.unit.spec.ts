import { METRIC } from '@ledgerflow/metrics';
import { describe, expect, it } from 'vitest';
import { gcPausesBetween, readGcPauseTotals } from './gc-pauses';

const N = METRIC.gcPause;

/** Prometheus text of a process whose minor and major pauses fell in these buckets (cumulative). */
function scrape(minor: { count: number; sum: number; le: Record<string, number> }, major: { count: number; sum: number; le: Record<string, number> }): string {
  const lines = ['# HELP x y', `${METRIC.batches}_total{partition="0",app="projector"} 12`];
  for (const [kind, h] of [['minor', minor], ['major', major]] as const) {
    for (const [le, n] of Object.entries(h.le)) lines.push(`${N}_bucket{kind="${kind}",app="projector",le="${le}"} ${n}`);
    lines.push(`${N}_bucket{kind="${kind}",app="projector",le="+Inf"} ${h.count}`, `${N}_sum{kind="${kind}",app="projector"} ${h.sum}`, `${N}_count{kind="${kind}",app="projector"} ${h.count}`);
  }
  return lines.join('\n');
}

describe('readGcPauseTotals', () => {
  it('sums the kinds and keeps the finite buckets', () => {
    const t = readGcPauseTotals(scrape({ count: 10, sum: 0.03, le: { '0.005': 9, '0.01': 10, '0.02': 10 } }, { count: 2, sum: 0.025, le: { '0.005': 0, '0.01': 1, '0.02': 2 } }));
    expect(t.count).toBe(12);
    expect(t.sumSeconds).toBeCloseTo(0.055, 9);
    expect([...t.buckets]).toEqual([
      [0.005, 9],
      [0.01, 11],
      [0.02, 12],
    ]);
  });

  it('reads nothing from text without the histogram (an app before the metric existed)', () => {
    expect(readGcPauseTotals('# nothing\nfoo 1\n')).toEqual({ count: 0, sumSeconds: 0, buckets: new Map() });
  });
});

describe('gcPausesBetween', () => {
  const before = readGcPauseTotals(scrape({ count: 10, sum: 0.03, le: { '0.005': 9, '0.01': 10, '0.02': 10 } }, { count: 2, sum: 0.025, le: { '0.005': 0, '0.01': 1, '0.02': 2 } }));

  it('counts the window\'s pauses, their time, those over 10 ms and the bound of the longest', () => {
    const after = readGcPauseTotals(scrape({ count: 20, sum: 0.07, le: { '0.005': 17, '0.01': 19, '0.02': 20 } }, { count: 3, sum: 0.04, le: { '0.005': 0, '0.01': 1, '0.02': 3 } }));
    expect(gcPausesBetween(before, after)).toEqual({ pauses: 11, totalMs: expect.closeTo(55, 6), over10Ms: 2, longestAtMostMs: 20 });
  });

  it('says null for the longest when a pause passed the last bound, and 0 for a window without pauses', () => {
    const beyond = readGcPauseTotals(scrape({ count: 11, sum: 0.5, le: { '0.005': 9, '0.01': 10, '0.02': 10 } }, { count: 2, sum: 0.025, le: { '0.005': 0, '0.01': 1, '0.02': 2 } }));
    expect(gcPausesBetween(before, beyond).longestAtMostMs).toBeNull();
    expect(gcPausesBetween(before, before)).toEqual({ pauses: 0, totalMs: 0, over10Ms: 0, longestAtMostMs: 0 });
  });
});
