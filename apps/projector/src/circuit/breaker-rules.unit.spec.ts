import { describe, expect, it } from 'vitest';
import { CLOSED, claimProbe, cooldownMs, isBlocked, jitteredBackoffMs, recordFailure, recordSuccess, retryInMs, type BreakerPolicy, type BreakerState } from './breaker-rules';

const policy: BreakerPolicy = { failureThreshold: 3, windowMs: 1000, baseCooldownMs: 100, maxCooldownMs: 1000 };
const MID = 0.5; // jitter halfway: cool-down = 3/4 of the capped exponential

/** Applies `n` failures at `atMs`. */
function failTimes(state: BreakerState, n: number, atMs: number): BreakerState {
  let s = state;
  for (let i = 0; i < n; i++) s = recordFailure(s, policy, atMs, MID);
  return s;
}

describe('breaker rules', () => {
  it('opens after N failures in a row within the window, and not before', () => {
    const two = failTimes(CLOSED, 2, 0);
    expect(two).toEqual({ kind: 'closed', failures: 2, streakStartMs: 0 });
    expect(isBlocked(two)).toBe(false);
    const open = recordFailure(two, policy, 900, MID);
    expect(open).toEqual({ kind: 'open', trips: 1, retryAtMs: 900 + 75 });
    expect(isBlocked(open)).toBe(true);
    expect(retryInMs(open, 950)).toBe(25);
  });

  it('starts a new streak when the first failure is older than the window, and a success ends it', () => {
    const stale = recordFailure(failTimes(CLOSED, 2, 0), policy, 1001, MID);
    expect(stale).toEqual({ kind: 'closed', failures: 1, streakStartMs: 1001 });
    expect(recordSuccess(failTimes(CLOSED, 2, 0))).toEqual(CLOSED);
    expect(recordFailure(recordSuccess(failTimes(CLOSED, 2, 0)), policy, 10, MID)).toEqual({ kind: 'closed', failures: 1, streakStartMs: 10 });
  });

  it('allows exactly one probe once the cool-down is over', () => {
    const open = failTimes(CLOSED, 3, 0); // retry at 75
    expect(claimProbe(open, 74)).toEqual({ state: open, allowed: false });
    const claimed = claimProbe(open, 75);
    expect(claimed).toEqual({ state: { kind: 'half-open', trips: 1 }, allowed: true });
    expect(isBlocked(claimed.state)).toBe(true);
    expect(claimProbe(claimed.state, 10_000).allowed).toBe(false);
    expect(claimProbe(CLOSED, 10_000).allowed).toBe(false);
  });

  it('closes after a successful probe', () => {
    const halfOpen = claimProbe(failTimes(CLOSED, 3, 0), 100).state;
    expect(recordSuccess(halfOpen)).toEqual(CLOSED);
  });

  it('re-opens after a failed probe with an exponentially longer cool-down, capped', () => {
    let state = failTimes(CLOSED, 3, 0);
    let now = 0;
    const cooldowns: number[] = [];
    for (let i = 0; i < 6; i++) {
      now += retryInMs(state, now);
      const half = claimProbe(state, now);
      expect(half.allowed).toBe(true);
      state = recordFailure(half.state, policy, now, MID);
      cooldowns.push(retryInMs(state, now));
    }
    // base 100 ms: trips 2…7 → 200, 400, 800, 1000 (cap), 1000, 1000, each at 3/4 (jitter 0.5).
    expect(cooldowns).toEqual([150, 300, 600, 750, 750, 750]);
    expect(state).toMatchObject({ kind: 'open', trips: 7 });
  });

  it('ignores failures of work in flight while open', () => {
    const open = failTimes(CLOSED, 3, 0);
    expect(recordFailure(open, policy, 50, MID)).toBe(open);
  });

  it('jitters within [d/2, d] and clamps its random input', () => {
    expect(cooldownMs(1, policy, 0)).toBe(50);
    expect(cooldownMs(1, policy, 1)).toBe(100);
    expect(cooldownMs(20, policy, 0.999)).toBeLessThanOrEqual(1000);
    expect(jitteredBackoffMs(3, 100, 5000, 2)).toBe(400);
    expect(jitteredBackoffMs(0, 100, 5000, -1)).toBe(50);
    expect(jitteredBackoffMs(1000, 100, 5000, 0)).toBe(2500);
  });
});
