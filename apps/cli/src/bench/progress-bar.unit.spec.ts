import { describe, expect, it } from 'vitest';
import { progressLine, terminalProgress } from './progress-bar';

describe('progressLine', () => {
  it('draws the share done, the counts and the time', () => {
    expect(progressLine('catch-up', 450_000, 1_000_000, 12_345)).toBe('catch-up [###########-------------]  45% 450,000 / 1,000,000 · 12.3 s');
  });

  it('is empty at zero, full at the end, and never overflows', () => {
    expect(progressLine('x', 0, 10, 0)).toContain(`[${'-'.repeat(24)}]   0%`);
    expect(progressLine('x', 10, 10, 0)).toContain(`[${'#'.repeat(24)}] 100% 10 / 10`);
    expect(progressLine('x', 15, 10, 0)).toContain(`[${'#'.repeat(24)}] 100% 10 / 10`);
    expect(progressLine('x', 5, 0, 0)).toContain(`[${'-'.repeat(24)}]   0%`);
  });
});

describe('terminalProgress', () => {
  const stream = (isTTY: boolean) => {
    const written: string[] = [];
    return { written, out: { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream };
  };

  it('redraws one line at most every period on a terminal, and clears it at the end', () => {
    const { written, out } = stream(true);
    let t = 0;
    const p = terminalProgress('seed', out, 250, () => t);
    p.update(1, 4);
    t = 100;
    p.update(2, 4); // too soon: skipped
    t = 300;
    p.update(3, 4);
    p.end();
    expect(written).toHaveLength(3);
    expect(written[0]).toMatch(/^\rseed \[#{6}-{18}\]  25% 1 \/ 4/);
    expect(written[1]).toMatch(/^\rseed \[#{18}-{6}\]  75% 3 \/ 4 · 0\.3 s/);
    expect(written[2]).toBe('\r\x1b[K');
  });

  it('writes nothing when the output is not a terminal', () => {
    const { written, out } = stream(false);
    const p = terminalProgress('seed', out, 0, () => 0);
    p.update(1, 2);
    p.end();
    expect(written).toEqual([]);
  });
});
