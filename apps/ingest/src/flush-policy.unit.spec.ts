import { describe, expect, it } from 'vitest';
import { DEFAULT_PACING_WAIT_MS, decideFlush, defaultMaxJobsPerSecond, mustPauseReading, type BufferState, type FlushPolicy } from './flush-policy';

const policy: FlushPolicy = { maxBatchEvents: 2000, flushIntervalMs: 5, maxJobsPerSecond: 0, maxPendingEvents: 20_000 };
const paced: FlushPolicy = { ...policy, flushIntervalMs: 2, maxJobsPerSecond: 1000 };
const state = (readyEvents: number, openEvents: number, readySinceMs: number | undefined): BufferState => ({ readyEvents, openEvents, readySinceMs });

describe('decideFlush', () => {
  it('is idle with nothing committed', () => {
    expect(decideFlush(state(0, 0, undefined), 1000, policy)).toEqual({ kind: 'idle' });
    // An open transaction alone is not flushed: only whole transactions are.
    expect(decideFlush(state(0, 500, undefined), 1000, policy)).toEqual({ kind: 'idle' });
  });

  it('waits out the flush interval for a small idle batch, then flushes it', () => {
    expect(decideFlush(state(3, 0, 1000), 1002, policy)).toEqual({ kind: 'wait', ms: 3 });
    expect(decideFlush(state(3, 0, 1000), 1005, policy)).toEqual({ kind: 'flush', includeOpen: false });
    expect(decideFlush(state(3, 7, 1000), 1100, policy)).toEqual({ kind: 'flush', includeOpen: false });
  });

  it('flushes at once when the batch is full, whatever its age', () => {
    expect(decideFlush(state(2000, 0, 1000), 1000, policy)).toEqual({ kind: 'flush', includeOpen: false });
    expect(decideFlush(state(1999, 0, 1000), 1000, policy)).toEqual({ kind: 'wait', ms: 5 });
  });

  it('flushes commits that carried no events too, so their position gets acknowledged', () => {
    expect(decideFlush(state(0, 0, 1000), 1010, policy)).toEqual({ kind: 'flush', includeOpen: false });
  });

  it('ships an oversized open transaction in pieces rather than break the memory bound', () => {
    expect(decideFlush(state(0, 20_000, undefined), 0, policy)).toEqual({ kind: 'flush', includeOpen: true });
    expect(decideFlush(state(10, 19_999, 0), 0, policy)).toEqual({ kind: 'wait', ms: 5 });
  });

  it('with a zero interval flushes every commit at once', () => {
    expect(decideFlush(state(1, 0, 50), 50, { ...policy, flushIntervalMs: 0 })).toEqual({ kind: 'flush', includeOpen: false });
  });
});

describe('decideFlush, pacing by jobs', () => {
  it('after a flush of n jobs waits until n / maxJobsPerSecond after it started', () => {
    const last = { atMs: 1000, jobs: 16 };
    expect(decideFlush(state(3, 0, 1003), 1005, paced, last)).toEqual({ kind: 'wait', ms: 11 });
    expect(decideFlush(state(3, 0, 1003), 1016, paced, last)).toEqual({ kind: 'flush', includeOpen: false });
  });

  it('paces a one-job flush for a moment only, so quiet traffic keeps its low lag', () => {
    expect(decideFlush(state(1, 0, 1005), 1005, paced, { atMs: 1000, jobs: 1 })).toEqual({ kind: 'wait', ms: 2 });
    expect(decideFlush(state(1, 0, 1005), 1007, paced, { atMs: 1000, jobs: 1 })).toEqual({ kind: 'flush', includeOpen: false });
  });

  it('never holds back a full batch or the memory bound', () => {
    const last = { atMs: 1000, jobs: 16 };
    expect(decideFlush(state(2000, 0, 1001), 1001, paced, last)).toEqual({ kind: 'flush', includeOpen: false });
    expect(decideFlush(state(0, 20_000, undefined), 1001, paced, last)).toEqual({ kind: 'flush', includeOpen: true });
  });

  it('does not pace with maxJobsPerSecond 0, nor before the first flush', () => {
    expect(decideFlush(state(3, 0, 1000), 1002, { ...paced, maxJobsPerSecond: 0 }, { atMs: 1000, jobs: 16 })).toEqual({ kind: 'flush', includeOpen: false });
    expect(decideFlush(state(3, 0, 1000), 1002, paced)).toEqual({ kind: 'flush', includeOpen: false });
  });
});

describe('mustPauseReading', () => {
  it('pauses at the memory bound, counting open and ready events', () => {
    expect(mustPauseReading(state(19_999, 0, 0), policy)).toBe(false);
    expect(mustPauseReading(state(15_000, 5000, 0), policy)).toBe(true);
    expect(mustPauseReading(state(0, 20_000, undefined), policy)).toBe(true);
  });

  it('with the default budget, a flush that made one job per partition waits at most DEFAULT_PACING_WAIT_MS, whatever the partitions', () => {
    for (const partitions of [1, 4, 16, 64]) {
      const budget: FlushPolicy = { ...paced, maxJobsPerSecond: defaultMaxJobsPerSecond(partitions) };
      const decision = decideFlush(state(3, 0, 1000), 1001, budget, { atMs: 1000, jobs: partitions });
      expect(decision.kind).toBe('wait');
      const waitMs = decision.kind === 'wait' ? 1 + decision.ms : 0;
      expect(waitMs).toBeLessThanOrEqual(DEFAULT_PACING_WAIT_MS);
      expect(waitMs).toBeGreaterThan(DEFAULT_PACING_WAIT_MS - 0.5);
    }
  });
});
