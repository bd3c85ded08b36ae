import { batchJobId, encodeBatch, partitionQueueName, planPartitionBatches, type EventJobData, type StoredEvent } from '@ledgerflow/cdc-core';
import { Queue, type JobsOptions, type QueueOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { withEnqueueSpan, type Tracer } from './enqueue-span';

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
  /** The partition queues, index = partition (for reading job counts; never for adding). */
  readonly queues: readonly Pick<Queue, 'getJobCounts'>[];
  close(): Promise<void>;
}

/** Hears what Redis accepted (IngestMetrics). */
export interface EnqueueObserver {
  /** Redis accepted `jobs` jobs holding `events` (source order) of `partition`. */
  enqueued(partition: number, events: readonly StoredEvent[], jobs: number): void;
  /** One publish (every partition's addBulk) took `seconds`. */
  enqueueTook(seconds: number): void;
}

/** What the publisher needs. */
export interface PublisherOptions {
  /** Shared producer connection (owned by the caller). */
  readonly redis: Redis;
  readonly prefix: string;
  readonly partitions: number;
  readonly maxEventsPerJob: number;
  readonly logger: Logger;
  readonly observer?: EnqueueObserver;
  /** Makes an `ingest.enqueue` span per partition batch (enqueue-span.ts); none without. */
  readonly tracer?: Tracer;
  /**
   * BullMQ's `telemetry` option (createBullMQTelemetry()): a producer span per addBulk and the
   * W3C context of that span stored in each job (`opts.telemetry.metadata`), which a Worker
   * with the same option continues as the parent of its `process` span.
   */
  readonly queueTelemetry?: QueueOptions['telemetry'];
}

type BulkJob = { name: string; data: EventJobData; opts: JobsOptions };

/** The jobs of one publish, grouped by partition (one addBulk each), with their events. */
function planJobs(events: readonly StoredEvent[], partitions: number, maxEventsPerJob: number): Map<number, { jobs: BulkJob[]; events: StoredEvent[] }> {
  const enqueuedAtMs = Date.now();
  const byPartition = new Map<number, { jobs: BulkJob[]; events: StoredEvent[] }>();
  for (const batch of planPartitionBatches(events, partitions, maxEventsPerJob)) {
    let planned = byPartition.get(batch.partition);
    if (!planned) byPartition.set(batch.partition, (planned = { jobs: [], events: [] }));
    planned.jobs.push({ name: BATCH_JOB_NAME, data: encodeBatch(batch, enqueuedAtMs), opts: { ...BATCH_JOB_OPTIONS, jobId: batchJobId(batch) } });
    for (const event of batch.events) planned.events.push(event);
  }
  return byPartition;
}

/** Builds the publisher over one shared ioredis connection (owned by the caller). */
export function createPublisher(options: PublisherOptions): EventPublisher {
  const { redis, prefix, partitions, maxEventsPerJob, logger, observer, tracer } = options;
  const queues: Queue<EventJobData, unknown, string>[] = [];
  for (let p = 0; p < partitions; p++) {
    const queue = new Queue<EventJobData, unknown, string>(partitionQueueName(p), {
      connection: redis,
      prefix,
      ...(options.queueTelemetry ? { telemetry: options.queueTelemetry } : {}),
    });
    // An EventEmitter 'error' without a listener would crash the process; a failed addBulk
    // rejects its own promise anyway.
    queue.on('error', (error) => logger.warn({ err: error, queue: queue.name }, 'queue connection error'));
    queues.push(queue);
  }
  const enqueue = async (partition: number, planned: { jobs: BulkJob[]; events: StoredEvent[] }): Promise<number> => {
    const queue = queues[partition]!;
    const added = await withEnqueueSpan(tracer, { partition, queueName: queue.name, events: planned.events, jobs: planned.jobs.length }, () => queue.addBulk(planned.jobs));
    observer?.enqueued(partition, planned.events, added.length);
    return added.length;
  };
  return {
    async publish(events) {
      if (events.length === 0) return { jobs: 0, events: 0 };
      const startedAt = performance.now();
      // One addBulk per partition (atomic, keeps the batches' order); partitions in parallel
      // because their relative order does not matter.
      const added = await Promise.all([...planJobs(events, partitions, maxEventsPerJob)].map(([p, planned]) => enqueue(p, planned)));
      observer?.enqueueTook((performance.now() - startedAt) / 1000);
      return { jobs: added.reduce((n, jobs) => n + jobs, 0), events: events.length };
    },
    queues,
    async close() {
      await Promise.all(queues.map((q) => q.close()));
    },
  };
}
