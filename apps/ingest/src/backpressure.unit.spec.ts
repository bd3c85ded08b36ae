import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultResumeAt, nextPaused, retainedWalWarningDue } from './backpressure';

const marks = { pauseAtJobs: 100, resumeAtJobs: 50 };

describe('nextPaused', () => {
  it('pauses at the high watermark and not below it', () => {
    expect(nextPaused(false, 99, marks)).toBe(false);
    expect(nextPaused(false, 100, marks)).toBe(true);
    expect(nextPaused(false, 5000, marks)).toBe(true);
  });

  it('stays paused between the watermarks and resumes at the low one (hysteresis)', () => {
    expect(nextPaused(true, 99, marks)).toBe(true);
    expect(nextPaused(true, 51, marks)).toBe(true);
    expect(nextPaused(true, 50, marks)).toBe(false);
    expect(nextPaused(true, 0, marks)).toBe(false);
  });

  it('never pauses when backpressure is off', () => {
    expect(nextPaused(false, 1_000_000, { pauseAtJobs: 0, resumeAtJobs: 0 })).toBe(false);
    expect(nextPaused(true, 1_000_000, { pauseAtJobs: 0, resumeAtJobs: 0 })).toBe(false);
  });

  it('flips at most once per crossing of the band, whatever the depth sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(200), { maxLength: 200 }), (depths) => {
        let paused = false;
        for (const depth of depths) {
          const next = nextPaused(paused, depth, marks);
          // A change of state needs the depth outside the band on the matching side.
          if (next && !paused) expect(depth).toBeGreaterThanOrEqual(marks.pauseAtJobs);
          if (!next && paused) expect(depth).toBeLessThanOrEqual(marks.resumeAtJobs);
          // Inside the band nothing changes.
          if (depth > marks.resumeAtJobs && depth < marks.pauseAtJobs) expect(next).toBe(paused);
          paused = next;
        }
      }),
    );
  });

  it('resumes at half the bound by default', () => {
    expect(defaultResumeAt(2000)).toBe(1000);
    expect(defaultResumeAt(1)).toBe(0);
  });
});

describe('retainedWalWarningDue', () => {
  const policy = { thresholdBytes: 1000n, everyMs: 60_000 };

  it('warns only above the threshold', () => {
    expect(retainedWalWarningDue(undefined, undefined, 0, policy)).toBe(false);
    expect(retainedWalWarningDue(1000n, undefined, 0, policy)).toBe(false);
    expect(retainedWalWarningDue(1001n, undefined, 0, policy)).toBe(true);
  });

  it('rate-limits repeated warnings', () => {
    expect(retainedWalWarningDue(5000n, 10_000, 69_999, policy)).toBe(false);
    expect(retainedWalWarningDue(5000n, 10_000, 70_000, policy)).toBe(true);
  });

  it('is off with a zero threshold', () => {
    expect(retainedWalWarningDue(5000n, undefined, 0, { thresholdBytes: 0n, everyMs: 1 })).toBe(false);
  });
});
