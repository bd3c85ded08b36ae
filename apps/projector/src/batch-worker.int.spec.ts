import { randomUUID } from 'node:crypto';
import { TEST_REDIS_URL, testRedisPrefix } from '@ledgerflow/testkit';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWorker } from './batch-worker';

const redis = testRedisPrefix('projector-batch-worker');
let queue: Queue;
let worker: BatchWorker;

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

  it('leaves the worker drained, so its blocking fetches wait for a job added later', async () => {
    await queue.add('d', {});
    const token = randomUUID();
    const job = await worker.getNextJob(token, { block: true });
    expect(await worker.completeAndTakeNext(job!, token)).toBeUndefined();
    const added = new Promise((r) => setTimeout(r, 200)).then(() => queue.add('e', {}));
    const startedAt = Date.now();
    let next;
    // A blocking fetch may come back empty (a marker left by an earlier job); the consumer loops.
    for (let i = 0; i < 10 && !next; i++) next = await worker.getNextJob(token, { block: true });
    await added;
    expect(next?.name).toBe('e');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(150);
  });
});
