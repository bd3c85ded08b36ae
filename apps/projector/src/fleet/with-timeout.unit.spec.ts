import { describe, expect, it } from 'vitest';
import { settleWithin } from './with-timeout';

describe('settleWithin', () => {
  it('is true when the promise settles in time, resolved or rejected', async () => {
    expect(await settleWithin(Promise.resolve(1), 1000)).toBe(true);
    expect(await settleWithin(Promise.reject(new Error('x')), 1000)).toBe(true);
  });

  it('is false when the promise is still pending at the deadline', async () => {
    expect(await settleWithin(new Promise(() => undefined), 10)).toBe(false);
  });
});
