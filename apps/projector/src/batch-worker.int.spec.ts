import { randomUUID } from 'node:crypto';
import { TEST_REDIS_URL, testRedisPrefix } from '@ledgerflow/testkit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BatchWorker } from './batch-worker';

const redis = testRedisPrefix('projector-batch-worker');
let queue: Queue;
let worker: BatchWorker;

/** Members of a queue's wake-up marker set. */
async function markers(queueName: string): Promise<string[]> {
  const client = new Redis(TEST_REDIS_URL);
  try {
    return await client.zrange(`${redis.prefix}:${queueName}:marker`, 0, -1);
  } finally {
    client.disconnect();
  }
}

beforeAll(async () => {
  queue = new Queue('p0', { connection: { url: TEST_REDIS_URL }, prefix: redis.prefix });
  worker = new BatchWorker('p0', TEST_REDIS_URL, redis.prefix);
});
afterAll(async () => {
  await worker?.close();
  await queue?.close();
  await redis.cleanup();
});

describe('BatchWorker.completeAndTakeNext', () => {
  it('completes a job and takes the next one under the same token, in queue order, until the queue is empty', async () => {
    await queue.addBulk(['a', 'b', 'c'].map((name) => ({ name, data: { name } })));
    const token = randomUUID();
    const first = await worker.getNextJob(token, { block: false });
    expect(first?.name).toBe('a');
    const second = await worker.completeAndTakeNext(first!, token);
    expect(second?.name).toBe('b');
    expect(second?.token).toBe(token);
    expect(await second!.getState()).toBe('active');
    const third = await worker.completeAndTakeNext(second!, token);
    expect(third?.name).toBe('c');
    expect(await worker.completeAndTakeNext(third!, token)).toBeUndefined();
    expect(await queue.getJobCounts('completed', 'active', 'wait')).toEqual({ completed: 3, active: 0, wait: 0 });
  });

  it('keeps the wake-up marker while jobs still wait', async () => {
    await queue.addBulk(['f', 'g', 'h'].map((name) => ({ name, data: { name } })));
    const token = randomUUID();
    const first = await worker.getNextJob(token, { block: false });
    const second = await worker.completeAndTakeNext(first!, token);
    expect(second?.name).toBe('g');
    expect(await markers('p0')).toEqual(['0']); // 'h' waits: a fetch must still wake
    const third = await worker.completeAndTakeNext(second!, token);
    expect(third?.name).toBe('h');
    expect(await worker.completeAndTakeNext(third!, token)).toBeUndefined();
    expect(await markers('p0')).toEqual([]);
  });

  it('leaves the worker drained when the queue is empty, so its next blocking fetch waits for a job added later', async () => {
    // Its own queue and worker: a known start, no marker left by an earlier test's jobs.
    const drainQueue = new Queue('p1', { connection: { url: TEST_REDIS_URL }, prefix: redis.prefix });
    const drainWorker = new BatchWorker('p1', TEST_REDIS_URL, redis.prefix);
    try {
      const token = randomUUID();
      expect(await drainWorker.getNextJob(token, { block: true })).toBeUndefined(); // a new worker asks once, finds nothing
      await drainQueue.add('d', {});
      const job = await drainWorker.getNextJob(token, { block: true });
      expect(job?.name).toBe('d');
      const drained = vi.fn();
      drainWorker.on('drained', drained);
      expect(await drainWorker.completeAndTakeNext(job!, token)).toBeUndefined();
      expect(drained).toHaveBeenCalledTimes(1);
      expect(await markers('p1')).toEqual([]); // BullMQ re-set it when 'd' was taken: stale, now gone
      const added = new Promise((r) => setTimeout(r, 200)).then(() => drainQueue.add('e', {}));
      const startedAt = Date.now();
      // The FIRST fetch blocks until 'e' arrives: with the stale marker, or a worker not marked
      // drained, it would come back empty (a fetch script for nothing, per idle period).
      const next = await drainWorker.getNextJob(token, { block: true });
      await added;
      expect(next?.name).toBe('e');
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(150);
    } finally {
      await drainWorker.close();
      await drainQueue.close();
    }
  });
});
