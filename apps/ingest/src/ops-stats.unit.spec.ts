import { describe, expect, it } from 'vitest';
import { BACKLOG_STATES, backlogOf, walStatsOf } from './ops-stats';

describe('backlogOf', () => {
  it('adds up the states that wait for a worker, and nothing else', () => {
    expect(BACKLOG_STATES).toEqual(['wait', 'prioritized', 'delayed']);
    expect(backlogOf({ wait: 3, prioritized: 1, delayed: 2, active: 5, completed: 100, failed: 7 })).toBe(6);
    expect(backlogOf({})).toBe(0);
  });
});

describe('walStatsOf', () => {
  it('turns pg_lsn text into byte offsets, and the slot retention into head minus restart_lsn', () => {
    expect(walStatsOf({ head: '1/0', restart: '0/FFFFFF00' })).toEqual({ headBytes: 0x1_0000_0000n, retainedBytes: 0x100n });
    expect(walStatsOf({ head: '16/B374D848', restart: null })).toEqual({ headBytes: 0x16_b374_d848n, retainedBytes: undefined });
  });

  it('never reports a negative retention (restart_lsn read a moment after the head)', () => {
    expect(walStatsOf({ head: '0/100', restart: '0/180' }).retainedBytes).toBe(0n);
  });
});
