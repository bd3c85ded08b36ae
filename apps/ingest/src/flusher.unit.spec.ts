import type { StoredEvent } from '@ledgerflow/cdc-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FlushPolicy } from './flush-policy';
import { Flusher } from './flusher';
import { TransactionBuffer } from './transaction-buffer';

const event = (position: number): StoredEvent => ({
  position: BigInt(position),
  eventId: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
  streamId: '00000000-0000-4000-8000-000000000001',
  version: position,
  type: 'MoneyDeposited',
  data: '{}',
  metadata: '{}',
  createdAt: '2026-01-01T00:00:00.000Z',
});

/** A publish port whose calls stay pending until the test releases them. */
function harness(policy: FlushPolicy) {
  const buffer = new TransactionBuffer();
  const log: string[] = [];
  const pending: { events: StoredEvent[]; settle: (error?: Error, jobs?: number) => void }[] = [];
  const failures: unknown[] = [];
  let clock = 0;
  const flusher = new Flusher({
    buffer,
    policy,
    now: () => clock,
    publish: (events) =>
      new Promise<number>((resolve, reject) => {
        log.push(`publish ${events.map((e) => e.position).join(',')}`);
        pending.push({ events, settle: (error, jobs = 1) => (error ? reject(error) : resolve(jobs)) });
      }),
    acknowledge: (position) => log.push(`ack ${position}`),
    onFailure: (error) => failures.push(error),
  });
  const commitTx = (positions: number[], end: number) => {
    for (const p of positions) buffer.add(event(p));
    buffer.commit(BigInt(end), clock);
    flusher.kick();
  };
  const settle = async (error?: Error, jobs?: number) => {
    pending.shift()!.settle(error, jobs);
    await new Promise((r) => setImmediate(r));
  };
  return { buffer, flusher, log, failures, commitTx, settle, setClock: (ms: number) => (clock = ms) };
}

const big: FlushPolicy = { maxBatchEvents: 2, flushIntervalMs: 1_000_000, maxJobsPerSecond: 0, maxPendingEvents: 4 };

describe('Flusher', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs one flush at a time and confirms each position only after its publish resolved', async () => {
    const h = harness(big);
    h.commitTx([1, 2], 100);
    expect(h.log).toEqual(['publish 1,2']);
    h.commitTx([3, 4], 200);
    h.commitTx([5], 300);
    expect(h.log).toEqual(['publish 1,2']); // the second flush waits for the first
    await h.settle();
    // Everything that piled up goes out in one bigger flush.
    expect(h.log).toEqual(['publish 1,2', 'ack 100', 'publish 3,4,5']);
    await h.settle();
    expect(h.log).toEqual(['publish 1,2', 'ack 100', 'publish 3,4,5', 'ack 300']);
  });

  it('flushes a small batch once the interval has passed', async () => {
    const h = harness({ maxBatchEvents: 100, flushIntervalMs: 5, maxJobsPerSecond: 0, maxPendingEvents: 1000 });
    h.setClock(1000);
    h.commitTx([1], 10);
    expect(h.log).toEqual([]);
    h.setClock(1005);
    await new Promise((r) => setTimeout(r, 20));
    expect(h.log).toEqual(['publish 1']);
  });

  it('paces the next flush by the jobs the last one made, from when it started', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const h = harness({ maxBatchEvents: 100, flushIntervalMs: 0, maxJobsPerSecond: 1000, maxPendingEvents: 1000 });
    h.setClock(1000);
    h.commitTx([1], 10);
    expect(h.log).toEqual(['publish 1']); // nothing flushed before: no pacing
    h.setClock(1002);
    await h.settle(undefined, 16); // 16 jobs at 1,000 jobs/s: the next flush waits until 1016
    h.commitTx([2], 20);
    h.setClock(1010);
    h.commitTx([3], 30);
    vi.advanceTimersByTime(13);
    expect(h.log).toEqual(['publish 1', 'ack 10']);
    h.setClock(1016);
    vi.advanceTimersByTime(1);
    expect(h.log).toEqual(['publish 1', 'ack 10', 'publish 2,3']); // both commits share the flush
    h.setClock(1017);
    await h.settle(undefined, 1); // one job paces for 1 ms only
    h.setClock(1018);
    h.commitTx([4], 40);
    expect(h.log).toEqual(['publish 1', 'ack 10', 'publish 2,3', 'ack 30', 'publish 4']);
  });

  it('stops for good after a failed publish and never confirms it', async () => {
    const h = harness(big);
    h.commitTx([1, 2], 100);
    await h.settle(new Error('redis down'));
    h.commitTx([3, 4], 200);
    expect(h.log).toEqual(['publish 1,2']);
    expect(h.failures).toHaveLength(1);
  });

  it('makes the reader wait while the buffer is at its bound', async () => {
    const h = harness(big);
    h.commitTx([1, 2], 100); // flush in flight
    h.commitTx([3, 4], 200);
    h.buffer.add(event(5)); // 2 ready + 2 open = the bound of 4
    h.buffer.add(event(6));
    let roomy = false;
    const waiting = h.flusher.waitForRoom().then(() => (roomy = true));
    await new Promise((r) => setImmediate(r));
    expect(roomy).toBe(false);
    await h.settle(); // first flush done → the loop flushes 3,4
    expect(h.log.at(-1)).toBe('publish 3,4');
    await h.settle();
    await waiting;
    expect(roomy).toBe(true);
    expect(h.buffer.state()).toMatchObject({ readyEvents: 0, openEvents: 2 });
  });

  it('drain flushes and confirms whole transactions and drops the open one', async () => {
    const h = harness(big);
    h.commitTx([1], 100);
    h.buffer.add(event(2));
    const drained = h.flusher.drain();
    await new Promise((r) => setImmediate(r));
    expect(h.log).toEqual(['publish 1']);
    await h.settle();
    await drained;
    expect(h.log).toEqual(['publish 1', 'ack 100']);
    expect(h.buffer.size).toBe(0);
  });

  it('close waits for the flush in flight, confirms it, and flushes nothing more', async () => {
    const h = harness(big);
    h.commitTx([1, 2], 100);
    h.commitTx([3, 4], 200);
    let closed = false;
    const closing = h.flusher.close().then(() => (closed = true));
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    await h.settle();
    await closing;
    expect(h.log).toEqual(['publish 1,2', 'ack 100']);
    expect(h.buffer.state().readyEvents).toBe(2);
  });
});
