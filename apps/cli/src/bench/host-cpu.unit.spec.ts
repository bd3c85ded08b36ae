import { describe, expect, it } from 'vitest';
import { cpuShares, parseProcStat } from './host-cpu';

const stat = (fields: string) => `cpu  ${fields}\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 123\n`;

describe('parseProcStat', () => {
  it('reads the aggregate line: busy, idle (with iowait) and stolen ticks', () => {
    // user nice system idle iowait irq softirq steal guest guest_nice
    expect(parseProcStat(stat('100 5 20 300 7 1 2 40 9 0'))).toEqual({ busy: 128, idle: 307, steal: 40 });
  });

  it('takes kernels that report fewer columns (no steal: 0)', () => {
    expect(parseProcStat(stat('10 0 5 85'))).toEqual({ busy: 15, idle: 85, steal: 0 });
  });

  it('is null for text without a cpu line or with garbage in it', () => {
    expect(parseProcStat('intr 1 2 3\n')).toBeNull();
    expect(parseProcStat(stat('a b c d'))).toBeNull();
  });
});

describe('cpuShares', () => {
  it('splits the time between two readings into busy and stolen shares', () => {
    const before = { busy: 1000, idle: 5000, steal: 100 };
    const after = { busy: 1500, idle: 5300, steal: 300 };
    expect(cpuShares(before, after)).toEqual({ busy: 0.5, steal: 0.2 });
  });

  it('is null without a reading or when no time passed', () => {
    const t = { busy: 1, idle: 1, steal: 0 };
    expect(cpuShares(null, t)).toBeNull();
    expect(cpuShares(t, t)).toBeNull();
  });
});
