import { batchJobId, encodeBatch, partitionQueueName, planPartitionBatches, type EventJobData, type StoredEvent } from '@ledgerflow/cdc-core';
import { FlowProducer, Queue, type FlowJob, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { startEnqueueSpan, type EnqueueSpan, type Tracer } from './enqueue-span';
import { COMPLETED_JOB_MAX_AGE_SECONDS } from './job-retention';

/** The BullMQ job name of an event batch. */
export const BATCH_JOB_NAME = 'batch';

/**
 * Options of every batch job but its retention once completed (the publisher adds that, see
 * completedJobsToKeep). Failed jobs are kept for the dead-letter tooling.
 */
export const BATCH_JOB_OPTIONS: Readonly<JobsOptions> = Object.freeze({
  removeOnFail: false,
  attempts: 20,
  backoff: { type: 'exponential', delay: 200 },
});

/** Result of one publish. */
export interface PublishResult {
  readonly jobs: number;
  readonly events: number;
}

/** How one publish names its jobs. */
export interface PublishOptions {
  /**
   * Appended to every job id (`p3-120-140-5-<suffix>`): jobs that must not dedupe against the
   * ones the stream added for the same events (a repair after a PostgreSQL crash re-enqueues
   * events whose jobs completed and may still be kept). Letters, digits, `_` and `-` only.
   */
  readonly jobIdSuffix?: string;
}

/** Puts event batches on the partition queues. */
export interface EventPublisher {
  /**
   * Enqueues `events` (in source order) as per-partition batch jobs; resolves once Redis holds
   * every job. Calls must not overlap: per-partition job order is the order of the calls.
   */
  publish(events: readonly StoredEvent[], options?: PublishOptions): Promise<PublishResult>;
  /** The partition queues, index = partition (for reading job counts; never for adding). */
  readonly queues: readonly Pick<Queue, 'getJobCounts'>[];
  close(): Promise<void>;
}

/** Hears what Redis accepted (IngestMetrics). */
export interface EnqueueObserver {
  /** Redis accepted `jobs` jobs holding `events` (source order) of `partition`. */
  enqueued(partition: number, events: readonly StoredEvent[], jobs: number): void;
  /** One publish (every partition's jobs, one Redis transaction) took `seconds`. */
  enqueueTook(seconds: number): void;
}

/** What the publisher needs. */
export interface PublisherOptions {
  /** Shared producer connection (owned by the caller). */
  readonly redis: Redis;
  readonly prefix: string;
  readonly partitions: number;
  readonly maxEventsPerJob: number;
  /** Completed jobs each partition queue keeps, so a replay dedupes (completedJobsToKeep). */
  readonly completedJobsKept: number;
  readonly logger: Logger;
  readonly observer?: EnqueueObserver;
  /**
   * Makes an `ingest.enqueue` span per partition batch (enqueue-span.ts), whose W3C context each
   * of its jobs carries (`opts.telemetry.metadata`); none without.
   */
  readonly tracer?: Tracer;
}

type BulkJob = { name: string; queueName: string; data: EventJobData; opts: JobsOptions };

/** The jobs of one publish, grouped by partition, with their events. */
function planJobs(events: readonly StoredEvent[], partitions: number, maxEventsPerJob: number, jobOptions: JobsOptions, jobIdSuffix: string | undefined): Map<number, { jobs: BulkJob[]; events: StoredEvent[] }> {
  const enqueuedAtMs = Date.now();
  const suffix = jobIdSuffix === undefined ? '' : `-${checkedSuffix(jobIdSuffix)}`;
  const byPartition = new Map<number, { jobs: BulkJob[]; events: StoredEvent[] }>();
  for (const batch of planPartitionBatches(events, partitions, maxEventsPerJob)) {
    let planned = byPartition.get(batch.partition);
    if (!planned) byPartition.set(batch.partition, (planned = { jobs: [], events: [] }));
    planned.jobs.push({ name: BATCH_JOB_NAME, queueName: partitionQueueName(batch.partition), data: encodeBatch(batch, enqueuedAtMs), opts: { ...jobOptions, jobId: `${batchJobId(batch)}${suffix}` } });
    for (const event of batch.events) planned.events.push(event);
  }
  return byPartition;
}

/** BullMQ job ids may not contain ':'; a suffix is a plain word so ids stay readable. */
function checkedSuffix(suffix: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(suffix)) throw new RangeError(`a job id suffix is letters, digits, '_' and '-' only, got ${JSON.stringify(suffix)}`);
  return suffix;
}

/** The jobs of a publish as one FlowProducer bulk, each carrying its partition span's context. */
function flowJobs(planned: Map<number, { jobs: BulkJob[] }>, spans: Map<number, EnqueueSpan>): FlowJob[] {
  const jobs: FlowJob[] = [];
  for (const [partition, { jobs: partitionJobs }] of planned) {
    const metadata = spans.get(partition)?.jobMetadata;
    for (const job of partitionJobs) jobs.push(metadata === undefined ? job : { ...job, opts: { ...job.opts, telemetry: { metadata } } });
  }
  return jobs;
}

/** Builds the publisher over one shared ioredis connection (owned by the caller). */
export function createPublisher(options: PublisherOptions): EventPublisher {
  const { redis, prefix, partitions, maxEventsPerJob, logger, observer, tracer } = options;
  const jobOptions: JobsOptions = { ...BATCH_JOB_OPTIONS, removeOnComplete: { age: COMPLETED_JOB_MAX_AGE_SECONDS, count: options.completedJobsKept } };
  const queues: Queue<EventJobData, unknown, string>[] = [];
  for (let p = 0; p < partitions; p++) {
    const queue = new Queue<EventJobData, unknown, string>(partitionQueueName(p), { connection: redis, prefix });
    // An EventEmitter 'error' without a listener would crash the process; a failed add
    // rejects its own promise anyway.
    queue.on('error', (error) => logger.warn({ err: error, queue: queue.name }, 'queue connection error'));
    queues.push(queue);
  }
  // BullMQ's API for adding jobs to several queues in ONE Redis transaction. An addBulk per
  // partition cost a client-side pipeline each (ioredis copies the connection's 64 BullMQ
  // scripts onto every pipeline, ≈ 90 µs here) and a write each: per flush, one of each now
  // (decision 010). Jobs keep their order within the transaction, so each partition's batches
  // still reach their queue in commit order, and a flush lands whole or not at all.
  const flow = new FlowProducer({ connection: redis, prefix });
  flow.on('error', (error) => logger.warn({ err: error }, 'flow producer connection error'));
  return {
    async publish(events, publishOptions) {
      if (events.length === 0) return { jobs: 0, events: 0 };
      const startedAt = performance.now();
      const planned = planJobs(events, partitions, maxEventsPerJob, jobOptions, publishOptions?.jobIdSuffix);
      const spans = new Map([...planned].map(([p, x]) => [p, startEnqueueSpan(tracer, { partition: p, queueName: partitionQueueName(p), events: x.events, jobs: x.jobs.length })]));
      try {
        await flow.addBulk(flowJobs(planned, spans));
      } catch (error) {
        for (const span of spans.values()) span.end(error);
        throw error;
      }
      let jobs = 0;
      for (const [p, x] of planned) {
        spans.get(p)?.end();
        observer?.enqueued(p, x.events, x.jobs.length);
        jobs += x.jobs.length;
      }
      observer?.enqueueTook((performance.now() - startedAt) / 1000);
      return { jobs, events: events.length };
    },
    queues,
    async close() {
      await Promise.all([...queues.map((q) => q.close()), flow.close()]);
    },
  };
}
