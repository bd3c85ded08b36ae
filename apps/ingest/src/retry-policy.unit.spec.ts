import { LedgerflowError } from '@ledgerflow/cdc-core';
import { describe, expect, it } from 'vitest';
import { STABLE_SESSION_MS, backoffDelayMs, decideRetry, isFatal, nextFailureCount, type RetryPolicy } from './retry-policy';

const policy: RetryPolicy = { retryInitialMs: 200, retryMaxMs: 5000 };

describe('backoffDelayMs', () => {
  it('doubles per consecutive failure up to the maximum', () => {
    const top = [1, 2, 3, 4, 5, 6, 7, 50].map((n) => backoffDelayMs(n, policy, 0.999_999));
    expect(top).toEqual([200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  });

  it('jitters within [base/2, base], never below half the base', () => {
    expect(backoffDelayMs(1, policy, 0)).toBe(100);
    expect(backoffDelayMs(3, policy, 0)).toBe(400);
    expect(backoffDelayMs(10, policy, 0)).toBe(2500);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelayMs(4, policy, Math.random());
      expect(d).toBeGreaterThanOrEqual(800);
      expect(d).toBeLessThanOrEqual(1600);
    }
  });

  it('treats attempt 0 like the first and survives huge attempt counts', () => {
    expect(backoffDelayMs(0, policy, 0.999_999)).toBe(200);
    expect(backoffDelayMs(10_000, policy, 0.999_999)).toBe(5000);
  });
});

describe('nextFailureCount', () => {
  it('grows while sessions fail quickly and starts over after a healthy one', () => {
    expect(nextFailureCount(0, 10)).toBe(1);
    expect(nextFailureCount(4, STABLE_SESSION_MS - 1)).toBe(5);
    expect(nextFailureCount(4, STABLE_SESSION_MS)).toBe(1);
  });
});

describe('decideRetry', () => {
  it('retries connection, server and Redis failures forever', () => {
    const failures = [
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('Reached the max retries per request limit'),
      new LedgerflowError('CDC_DECODE_FAILED', 'bad row'),
      new LedgerflowError('TRANSIENT_FAILURE', 'slot busy', { retryable: true }),
    ];
    for (const error of failures) expect(decideRetry(error, 1_000_000, policy, 0.5)).toEqual({ kind: 'retry', delayMs: 3750, attempt: 1_000_000 });
  });

  it('gives up only on a configuration no retry can fix', () => {
    const error = new LedgerflowError('CONFIG_INVALID', 'slot of another plugin');
    expect(isFatal(error)).toBe(true);
    expect(decideRetry(error, 1, policy, 0.5)).toEqual({ kind: 'give-up' });
    expect(isFatal(new LedgerflowError('CONFIG_INVALID', 'maybe later', { retryable: true }))).toBe(false);
  });

  it('gives up on a partition count the database refuses', () => {
    const error = new LedgerflowError('PARTITION_COUNT_MISMATCH', 'configured with 4 partitions (LEDGERFLOW_PARTITIONS), but the database records 16');
    expect(decideRetry(error, 1, policy, 0.5)).toEqual({ kind: 'give-up' });
  });
});
