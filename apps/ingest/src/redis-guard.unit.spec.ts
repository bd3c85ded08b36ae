import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { newCounters } from './counters';
import { RedisGuard } from './redis-guard';
import type { RefillProgress } from './refill';
import { isRefillMarker } from './sentinel';
import type { SentinelStore } from './sentinel-store';

/**
 * The guard's decisions against an in-memory sentinel (the key's semantics are two commands;
 * the real store runs in redis-loss.int.spec.ts) and a refill that records its windows.
 */
function harness(options: { initial?: string | null; onRefillPage?: (store: { value: string | null }, call: number) => void } = {}) {
  const key = { value: options.initial ?? null };
  const store: SentinelStore = {
    get: async () => key.value,
    async compareAndSet(expected, next) {
      if (key.value !== expected) return false;
      key.value = next;
      return true;
    },
    close: async () => undefined,
  };
  const counters = newCounters();
  const refills: { after: bigint; upTo: bigint; completed: boolean }[] = [];
  let position = 100n;
  let epoch = 0;
  const guard = new RedisGuard({
    store,
    maxPosition: async () => position,
    async refill(progress: RefillProgress, shouldContinue) {
      const call = refills.length;
      const record = { after: progress.after, upTo: progress.upTo, completed: false };
      refills.push(record);
      if (!(await shouldContinue())) return false;
      options.onRefillPage?.(key, call); // "page 1 is in Redis"
      if (!(await shouldContinue())) return false;
      progress.after = progress.upTo;
      record.completed = true;
      return true;
    },
    intervalMs: 10,
    counters,
    logger: pino({ level: 'silent' }),
    newEpoch: () => `e${++epoch}`,
  });
  const settle = () => new Promise((r) => setTimeout(r, 60));
  return { guard, key, counters, refills, settle, setPosition: (p: bigint) => (position = p) };
}

describe('RedisGuard', () => {
  it('takes over an intact sentinel at start without refilling', async () => {
    const h = harness({ initial: 'left-by-previous' });
    await h.guard.init(false);
    await h.settle();
    expect(h.key.value).toBe('e1');
    expect(h.refills).toEqual([]);
    await h.guard.stop();
  });

  it('refills at start when the key is missing and catch-up does not start from scratch', async () => {
    const h = harness();
    await h.guard.init(false);
    await h.settle();
    expect(h.refills).toEqual([{ after: 0n, upTo: 100n, completed: true }]);
    expect(h.key.value).toBe('e1');
    expect(h.counters).toMatchObject({ redisLosses: 1, refills: 1 });
    await h.guard.stop();
  });

  it('writes the marker before the refill and detects a loss while running', async () => {
    const h = harness({ initial: 'x', onRefillPage: (key) => expect(key.value).toBe('refill:e2') });
    await h.guard.init(true);
    await h.settle();
    h.setPosition(250n);
    h.key.value = null; // FLUSHALL
    await h.settle();
    expect(h.refills).toEqual([{ after: 0n, upTo: 250n, completed: true }]);
    expect(h.key.value).toBe('e2');
    await h.guard.stop();
  });

  it('starts over when Redis loses its keys again during the refill, and only then marks it intact', async () => {
    const h = harness({
      initial: null,
      onRefillPage: (key, call) => {
        if (call === 0) key.value = null; // a second FLUSHALL after the first page
      },
    });
    await h.guard.init(false);
    await h.settle();
    expect(h.refills.map((r) => r.completed)).toEqual([false, true]);
    expect(h.refills[1]).toMatchObject({ after: 0n });
    expect(h.key.value).toBe('e2');
    expect(h.counters).toMatchObject({ redisLosses: 2, refills: 1 });
    await h.guard.stop();
  });

  it('leaves the marker when stopped mid-refill, so the next ingest refills', async () => {
    let stopping: Promise<void> | undefined;
    const h = harness({ onRefillPage: () => (stopping = h.guard.stop()) });
    await h.guard.init(false);
    await h.settle();
    await stopping;
    expect(isRefillMarker(h.key.value!)).toBe(true);
    expect(h.counters.refills).toBe(0);
  });
});
