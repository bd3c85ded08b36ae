import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PostgresCircuit } from './postgres-circuit';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const timeout = () => Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });

function circuit() {
  const clock = { now: 1_000 };
  const breaker = new PostgresCircuit(
    { failureThreshold: 2, windowMs: 5000, baseCooldownMs: 1000, maxCooldownMs: 4000 },
    { logger: pino({ level: 'silent' }), now: () => clock.now, random: () => 1 },
  );
  return { clock, breaker };
}

describe('PostgresCircuit (fake clock)', () => {
  it('counts only connection-class failures', () => {
    const { breaker } = circuit();
    expect(breaker.failed(timeout())).toBe(false);
    expect(breaker.failed(timeout())).toBe(false);
    expect(breaker.blocked()).toBe(false);
    expect(breaker.failed(refused())).toBe(true);
    expect(breaker.failed(refused())).toBe(true);
    expect(breaker.blocked()).toBe(true);
    expect(breaker.snapshot()).toEqual({ state: 'open', opened: 1, probes: 0, retryInMs: 1000 });
  });

  it('reports the wait for /readyz, probes at the cool-down, backs off on a failed probe, closes on success', () => {
    const { clock, breaker } = circuit();
    expect(breaker.reason()).toBeUndefined();
    breaker.failed(refused());
    breaker.failed(refused());
    expect(breaker.reason()).toBe('circuit open (retry in 1 s)');
    clock.now += 999;
    expect(breaker.claimProbe()).toBe(false);
    clock.now += 1;
    expect(breaker.claimProbe()).toBe(true);
    expect(breaker.claimProbe()).toBe(false); // one probe at a time
    // Any probe failure re-opens, even one the classifier would not count.
    breaker.probeFailed(timeout());
    expect(breaker.snapshot()).toMatchObject({ state: 'open', probes: 1, retryInMs: 2000 });
    expect(breaker.reason()).toBe('circuit open (retry in 2 s)');
    clock.now += 2000;
    expect(breaker.claimProbe()).toBe(true);
    breaker.succeeded();
    expect(breaker.blocked()).toBe(false);
    expect(breaker.snapshot()).toEqual({ state: 'closed', opened: 1, probes: 2, retryInMs: 0 });
  });
});
