import { describe, expect, it } from 'vitest';
import { GUARD_GRACE_MS, commitLimitAfter, guardMs, guardTransaction } from './batch-timeouts';
import { isRetryableError } from './classify-error';

describe('client-side guard of the batch time limits', () => {
  it('allows the batch limit, the commit limit and a grace, so the server cancels first', () => {
    expect(guardMs({ batchMs: 30_000, commitMs: 10_000 })).toBe(40_000 + GUARD_GRACE_MS);
  });

  it('passes a transaction that answers in time through, untouched', async () => {
    let expired = false;
    await expect(guardTransaction(Promise.resolve('done'), 50, () => (expired = true))).resolves.toBe('done');
    await expect(guardTransaction(Promise.reject(new Error('rolled back')), 50, () => (expired = true))).rejects.toThrow('rolled back');
    await new Promise((r) => setTimeout(r, 80));
    expect(expired).toBe(false);
  });

  it('gives up on a transaction that never answers: a retryable error, and the caller is told', async () => {
    const given: Error[] = [];
    const never = new Promise<never>(() => undefined);
    const error = await guardTransaction(never, 20, (e) => given.push(e)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TRANSIENT_FAILURE', retryable: true });
    expect(isRetryableError(error)).toBe(true);
    expect(given).toEqual([error]);
  });
});

describe('commitLimitAfter', () => {
  it('gives the COMMIT its own limit while the statements stayed within the batch limit', () => {
    expect(commitLimitAfter({ batchMs: 1000, commitMs: 300 }, 999)).toBe(300);
  });

  it('refuses, retryably, a batch whose statements took longer than the batch limit all together', () => {
    expect(() => commitLimitAfter({ batchMs: 1000, commitMs: 300 }, 1001)).toThrow(expect.objectContaining({ code: 'TRANSIENT_FAILURE', retryable: true }));
  });
});
