import { batchJobId, encodeBatch, partitionQueueName, planPartitionBatches, type EventJobData, type StoredEvent } from '@ledgerflow/cdc-core';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** The BullMQ job name of an event batch. */
export const BATCH_JOB_NAME = 'batch';

/**
 * Options of every batch job. Completed jobs are kept an hour so that a replay from the slot
 * inside that window dedupes on the job id; failed jobs are kept for the dead-letter tooling.
 */
export const BATCH_JOB_OPTIONS: Readonly<JobsOptions> = Object.freeze({
  removeOnComplete: { age: 3600, count: 200_000 },
  removeOnFail: false,
  attempts: 20,
  backoff: { type: 'exponential', delay: 200 },
});

/** Result of one publish. */
export interface PublishResult {
  readonly jobs: number;
  readonly events: number;
}

/** Puts event batches on the partition queues. */
export interface EventPublisher {
  /**
   * Enqueues `events` (in source order) as per-partition batch jobs; resolves once Redis holds
   * every job. Calls must not overlap: per-partition job order is the order of the calls.
   */
  publish(events: readonly StoredEvent[]): Promise<PublishResult>;
  close(): Promise<void>;
}

/** Builds the publisher over one shared ioredis connection (owned by the caller). */
export function createPublisher(options: { redis: Redis; prefix: string; partitions: number; maxEventsPerJob: number; logger: Logger }): EventPublisher {
  const { redis, prefix, partitions, maxEventsPerJob, logger } = options;
  const queues: Queue<EventJobData, unknown, string>[] = [];
  for (let p = 0; p < partitions; p++) {
    const queue = new Queue<EventJobData, unknown, string>(partitionQueueName(p), { connection: redis, prefix });
    // An EventEmitter 'error' without a listener would crash the process; a failed addBulk
    // rejects its own promise anyway.
    queue.on('error', (error) => logger.warn({ err: error, queue: queue.name }, 'queue connection error'));
    queues.push(queue);
  }
  return {
    async publish(events) {
      if (events.length === 0) return { jobs: 0, events: 0 };
      const enqueuedAtMs = Date.now();
      const byQueue = new Map<number, { name: string; data: EventJobData; opts: JobsOptions }[]>();
      for (const batch of planPartitionBatches(events, partitions, maxEventsPerJob)) {
        let jobs = byQueue.get(batch.partition);
        if (!jobs) byQueue.set(batch.partition, (jobs = []));
        jobs.push({ name: BATCH_JOB_NAME, data: encodeBatch(batch, enqueuedAtMs), opts: { ...BATCH_JOB_OPTIONS, jobId: batchJobId(batch) } });
      }
      // One addBulk per partition (atomic, keeps the batches' order); partitions in parallel
      // because their relative order does not matter.
      const results = await Promise.all([...byQueue].map(([p, jobs]) => queues[p]!.addBulk(jobs)));
      return { jobs: results.reduce((n, r) => n + r.length, 0), events: events.length };
    },
    async close() {
      await Promise.all(queues.map((q) => q.close()));
    },
  };
}
