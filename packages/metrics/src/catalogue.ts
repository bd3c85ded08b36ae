import { BATCH_SIZE_BUCKETS, GC_PAUSE_BUCKETS_SECONDS, LAG_BUCKETS_SECONDS, LATENCY_BUCKETS_SECONDS, type Label, type MetricKey } from './names';

/** OpenTelemetry units we use: seconds and bytes (Prometheus base units); counts have none. */
export type MetricUnit = 's' | 'By';

/** A monotonic counter; exported as `<name>_total`. */
export interface CounterSpec {
  readonly kind: 'counter';
  readonly description: string;
  readonly labels: readonly Label[];
}

/** A histogram with explicit buckets (the SDK defaults are tuned for milliseconds). */
export interface HistogramSpec {
  readonly kind: 'histogram';
  readonly description: string;
  readonly labels: readonly Label[];
  readonly unit?: MetricUnit;
  readonly buckets: readonly number[];
}

/** An observable gauge: the app that knows the value registers a callback (gauges.ts). */
export interface GaugeSpec {
  readonly kind: 'gauge';
  readonly description: string;
  readonly labels: readonly Label[];
  readonly unit?: MetricUnit;
}

export type MetricSpec = CounterSpec | HistogramSpec | GaugeSpec;

const counter = (description: string, labels: readonly Label[] = []): CounterSpec => ({ kind: 'counter', description, labels });
const seconds = (description: string, labels: readonly Label[] = [], buckets = LATENCY_BUCKETS_SECONDS): HistogramSpec => ({
  kind: 'histogram',
  description,
  labels,
  unit: 's',
  buckets,
});
const counts = (description: string, labels: readonly Label[], buckets: readonly number[]): HistogramSpec => ({ kind: 'histogram', description, labels, buckets });
const gauge = (description: string, labels: readonly Label[] = [], unit?: MetricUnit): GaugeSpec =>
  unit === undefined ? { kind: 'gauge', description, labels } : { kind: 'gauge', description, labels, unit };

const P: readonly Label[] = ['partition'];

/** Kind, unit, description and allowed labels of every metric in METRIC. */
export const CATALOGUE = {
  eventsRead: counter('Events decoded from the replication slot or the catch-up scan', P),
  eventsEnqueued: counter('Events inside batch jobs that Redis accepted', P),
  jobsEnqueued: counter('Batch jobs added to partition queues', P),
  ingestEventsFailed: counter('Changes ingest could not decode or route', ['code']),
  enqueueDuration: seconds('Time to add one flush of batch jobs to Redis (one transaction, every partition)'),
  ingestRefills: counter('Refills of the unapplied events from PostgreSQL that ran to the end, by cause: redis_loss (the Redis sentinel was gone) or postgres_crash (the crash marker was gone)', ['cause']),
  ingestPaused: gauge('1 while ingest stops reading because the partition queues are deeper than their bound (backpressure), else 0'),
  eventsProcessed: counter('Events delivered to the projector in committed batches (applied, duplicate or failed)', P),
  eventsApplied: counter('Events applied to the read models', P),
  eventsDuplicate: counter('Redelivered events that were no-ops', P),
  eventsRepaired: counter('Events read from the event store to fill a version gap', P),
  eventsFailed: counter('Events that could not be applied (their account is parked)', ['partition', 'code']),
  batches: counter('Projector transactions committed', P),
  batchFailures: counter('Projector transactions rolled back (their jobs are retried)', ['partition', 'code']),
  batchDuration: seconds('Projector batch transaction time (processing latency)', P),
  batchEvents: counts('Events per committed projector batch', P, BATCH_SIZE_BUCKETS),
  parkedAccounts: gauge('Accounts parked behind an event that cannot be applied', P),
  queueDepth: gauge('Batch jobs waiting in the partition queue', P),
  consecutiveFailures: gauge('Failures in a row since the last success', P),
  lastErrorTime: gauge('Unix time of the last failure', ['partition', 'code'], 's'),
  projectionBatchUpdates: counter('Version-guarded batch upserts of read-model rows committed', P),
  projectionQueryDuration: seconds('Read-model query time', ['query']),
  projectionErrors: counter('Read-model writes or queries that failed', ['code']),
  cacheHits: counter('Read-model cache hits', ['query']),
  cacheMisses: counter('Read-model cache misses', ['query']),
  walHeadPosition: gauge('pg_current_wal_lsn() as a byte offset (the top of the lag ladder)', [], 'By'),
  walReadPosition: gauge('Last WAL position ingest received from the slot, as a byte offset', [], 'By'),
  walConfirmedPosition: gauge('WAL position confirmed to the slot (everything before it is in Redis)', [], 'By'),
  slotRetainedWal: gauge('WAL the replication slot keeps on disk (head minus restart_lsn)', [], 'By'),
  processMemory: gauge('Resident memory of the process (RSS)', [], 'By'),
  gcPause: seconds('Time the process stood still for one garbage collection, by kind: minor (young generation), major (whole heap), incremental (a marking step) or weakcb (weak callbacks)', ['kind'], GC_PAUSE_BUCKETS_SECONDS),
  readPosition: gauge('Highest event position ingest has read for the partition', P),
  enqueuedPosition: gauge('Highest event position enqueued for the partition', P),
  appliedPosition: gauge('Highest event position applied for the partition', P),
  checkpointedPosition: gauge('Event position of the partition checkpoint in PostgreSQL', P),
  readLag: gauge('Commit-to-read time of the last event read for the partition', P, 's'),
  enqueuedLag: gauge('Commit-to-enqueue time of the last event enqueued for the partition', P, 's'),
  appliedLag: gauge('Commit-to-apply time of the last event applied for the partition', P, 's'),
  checkpointedLag: gauge('Commit-to-checkpoint time of the last checkpoint of the partition', P, 's'),
  commitToProjectionLag: seconds('Time from the commit of an event to the commit of its projection', P, LAG_BUCKETS_SECONDS),
  requestDuration: seconds('HTTP request time by route template and status class', ['method', 'route', 'status_class']),
  commands: counter('Commands handled, by type and outcome code (OK or the error code)', ['command', 'code']),
} satisfies Record<MetricKey, MetricSpec>;

type Catalogue = typeof CATALOGUE;

/** Keys of the metrics of one kind. */
export type KeysOfKind<K extends MetricSpec['kind']> = { [M in MetricKey]: Catalogue[M]['kind'] extends K ? M : never }[MetricKey];
