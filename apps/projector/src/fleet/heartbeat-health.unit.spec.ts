import { describe, expect, it } from 'vitest';
import { NO_HEARTBEAT, mayReapOthers, recordBeat, type HeartbeatHealth } from './heartbeat-health';

const TIMEOUT = 6000;
const GAP = 3000;

/** Beats every `every` ms from `from` to `to` (inclusive), all with the same outcome. */
function beats(health: HeartbeatHealth, from: number, to: number, every: number, ok = true): HeartbeatHealth {
  let h = health;
  for (let t = from; t <= to; t += every) h = recordBeat(h, t, ok, GAP);
  return h;
}

describe('heartbeat health', () => {
  it('lets a member reap only after a whole timeout of steady beats', () => {
    const h = beats(NO_HEARTBEAT, 0, 5000, 1000);
    expect(mayReapOthers(h, 5000, TIMEOUT, GAP)).toBe(false);
    const later = beats(h, 6000, 6000, 1000);
    expect(mayReapOthers(later, 6000, TIMEOUT, GAP)).toBe(true);
  });

  it('starts over after a failed beat (a PostgreSQL outage)', () => {
    let h = beats(NO_HEARTBEAT, 0, 10_000, 1000);
    h = recordBeat(h, 11_000, false, GAP);
    expect(mayReapOthers(h, 11_000, TIMEOUT, GAP)).toBe(false);
    h = beats(h, 12_000, 17_000, 1000);
    expect(mayReapOthers(h, 17_000, TIMEOUT, GAP)).toBe(false);
    h = beats(h, 18_000, 18_000, 1000);
    expect(mayReapOthers(h, 18_000, TIMEOUT, GAP)).toBe(true);
  });

  it('starts over after a gap in the beats (we were stalled)', () => {
    let h = beats(NO_HEARTBEAT, 0, 10_000, 1000);
    expect(mayReapOthers(h, 10_500, TIMEOUT, GAP)).toBe(true);
    // Woken up long after: no reaping before the next beat, and a fresh run after it.
    expect(mayReapOthers(h, 60_000, TIMEOUT, GAP)).toBe(false);
    h = recordBeat(h, 60_000, true, GAP);
    expect(h.healthySinceMs).toBe(60_000);
    expect(mayReapOthers(h, 60_100, TIMEOUT, GAP)).toBe(false);
  });
});
