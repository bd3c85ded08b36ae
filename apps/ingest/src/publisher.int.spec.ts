import { randomUUID } from 'node:crypto';
import { partitionOf, type StoredEvent } from '@ledgerflow/cdc-core';
import { TEST_REDIS_URL, testRedisPrefix } from '@ledgerflow/testkit';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublisher, type EventPublisher } from './publisher';
import { partitionQueueName } from '@ledgerflow/cdc-core';
import { readJobs, testLogger } from './testing/fixtures';

const PARTITIONS = 4;
const KEPT = 3;
const redisKeys = testRedisPrefix('ingest-publisher');
let redis: Redis;
let publisher: EventPublisher;

beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  publisher = createPublisher({ redis, prefix: redisKeys.prefix, partitions: PARTITIONS, maxEventsPerJob: 10, completedJobsKept: KEPT, logger: testLogger });
});
afterAll(async () => {
  await publisher?.close();
  redis?.disconnect();
  await redisKeys.cleanup();
});

/** An account whose events go to `partition`. */
function accountIn(partition: number): string {
  for (;;) {
    const id = randomUUID();
    if (partitionOf(id, PARTITIONS) === partition) return id;
  }
}

function event(position: number, streamId: string, version: number): StoredEvent {
  return { position: BigInt(position), eventId: randomUUID(), streamId, version, type: 'MoneyDeposited', data: '{}', metadata: '{}', createdAt: '2024-01-01T00:00:00.000Z' };
}

describe('createPublisher', () => {
  it("puts every partition's batches on its queue in source order, in one publish, and dedupes a replay", async () => {
    const [a, b] = [accountIn(1), accountIn(3)];
    const events: StoredEvent[] = [];
    let versionA = 0;
    let versionB = 0;
    for (let position = 1; position <= 32; position++) events.push(position % 4 === 0 ? event(position, b, ++versionB) : event(position, a, ++versionA));
    expect(await publisher.publish(events)).toEqual({ jobs: 4, events: 32 }); // 24 events of a in 3 jobs of ≤ 10, 8 of b in 1

    const queues = await readJobs(TEST_REDIS_URL, redisKeys.prefix, PARTITIONS);
    expect(queues.map((q) => q.length)).toEqual([0, 3, 0, 1]);
    expect(queues[1]!.flatMap((j) => j.events.map((e) => e.version))).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(queues[3]!.flatMap((j) => j.events.map((e) => Number(e.position)))).toEqual([4, 8, 12, 16, 20, 24, 28, 32]);

    // A replay of the same positions (an ingest restart before its acknowledgement) adds nothing.
    await publisher.publish(events);
    expect((await readJobs(TEST_REDIS_URL, redisKeys.prefix, PARTITIONS)).map((q) => q.length)).toEqual([0, 3, 0, 1]);
  });

  it('adds the same events again under suffixed job ids, and refuses a suffix BullMQ cannot take', async () => {
    const account = accountIn(0);
    const events = Array.from({ length: 5 }, (_, i) => event(500 + i, account, i + 1));
    await publisher.publish(events);
    await publisher.publish(events, { jobIdSuffix: 'c1x' });
    const ids = (await readJobs(TEST_REDIS_URL, redisKeys.prefix, PARTITIONS))[0]!.map((j) => j.id);
    expect(ids).toEqual(['p0-500-504-5', 'p0-500-504-5-c1x']);
    await expect(publisher.publish(events, { jobIdSuffix: 'a:b' })).rejects.toThrow(RangeError);
  });

  it('keeps only the last completed jobs of a partition, enough for a replay of them to add nothing', async () => {
    const account = accountIn(2);
    const events = Array.from({ length: 50 }, (_, i) => event(1000 + i, account, i + 1)); // 5 jobs of 10
    expect(await publisher.publish(events)).toEqual({ jobs: 5, events: 50 });
    const queueName = partitionQueueName(2);
    const worker = new Worker(queueName, null, { connection: { url: TEST_REDIS_URL, maxRetriesPerRequest: null }, prefix: redisKeys.prefix, autorun: false });
    const queue = new Queue(queueName, { connection: { url: TEST_REDIS_URL }, prefix: redisKeys.prefix });
    try {
      for (let i = 0; i < 5; i++) {
        const job = await worker.getNextJob('token');
        await job!.moveToCompleted(null, 'token', false);
      }
      // Not every completed job with its payload (an hour of them before): the last KEPT.
      expect(await queue.getJobCounts('completed', 'wait', 'active')).toEqual({ completed: KEPT, wait: 0, active: 0 });
      // A replay of the last flushes (what an ingest restart resends) finds their ids taken.
      await publisher.publish(events.slice(-10 * KEPT));
      expect(await queue.getJobCounts('wait')).toEqual({ wait: 0 });
    } finally {
      await worker.close();
      await queue.close();
    }
  });
});
