import { DEFAULT_PARTITION_COUNT, LedgerflowError } from '@ledgerflow/cdc-core';
import { z } from 'zod';
import { defaultResumeAt } from './backpressure';
import { defaultMaxJobsPerSecond } from './flush-policy';

/** Everything the ingest service reads from its environment, validated and frozen. */
export interface IngestConfig {
  /** PostgreSQL connection string (the database holding `events`). */
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /**
   * Number of partitions P: queues `p0` … `p{P-1}`. Once ingest has agreed with its database
   * (agreeOnPartitions), the database's count.
   */
  readonly partitions: number;
  /** LEDGERFLOW_PARTITIONS is set: the database must record this count. Unset, ingest follows the database's (decision 017). */
  readonly partitionsSet: boolean;
  /** BullMQ key prefix of every partition queue. */
  readonly redisPrefix: string;
  /** Logical replication slot this ingest owns. */
  readonly slotName: string;
  readonly logLevel: string;
  /** Flush once this many events of whole transactions are pending. */
  readonly maxBatchEvents: number;
  /** Flush once the oldest pending transaction has waited this long (ms)… */
  readonly flushIntervalMs: number;
  /**
   * …and, after a flush of n jobs, n / this many seconds after it (0: no pacing): see FlushPolicy.
   * Unset: partitions / 16 ms (defaultMaxJobsPerSecond).
   */
  readonly maxJobsPerSecond: number;
  /** LEDGERFLOW_INGEST_MAX_JOBS_PER_SECOND is set; unset, the budget follows the partitions. */
  readonly maxJobsPerSecondSet: boolean;
  /** Stop reading from the slot while this many events sit in memory. */
  readonly maxPendingEvents: number;
  /** Upper bound of events in one queue job. */
  readonly maxEventsPerJob: number;
  /** Rows per catch-up page read from `events` (and per refill page). */
  readonly catchupPageSize: number;
  /** Pause before restarting a failed session the first time (ms); doubles per consecutive failure. */
  readonly retryInitialMs: number;
  /** Longest pause between two session restarts (ms). */
  readonly retryMaxMs: number;
  /** How often the Redis sentinel is checked for a loss (ms). */
  readonly redisCheckIntervalMs: number;
  /** `LEDGERFLOW_INGEST_OPS_PORT`: port of `/healthz`, `/readyz` and `/metrics` (0: any free port). @defaultValue 9465 */
  readonly opsPort: number;
  /** `LEDGERFLOW_INGEST_OPS_HOST`: address the ops server listens on. @defaultValue 127.0.0.1 */
  readonly opsHost: string;
  /** `LEDGERFLOW_INGEST_METRICS_POLL_MS`: how often queue depths and WAL positions are read for the gauges (ms). @defaultValue 2000 */
  readonly metricsPollMs: number;
  /**
   * `LEDGERFLOW_INGEST_MAX_QUEUED_JOBS`: backpressure high watermark. While at least this many
   * batch jobs wait in the partition queues (all partitions together), ingest stops reading the
   * slot and paging catch-up/refill; 0 turns backpressure off. A job holds at most
   * `maxEventsPerJob` events, so the bound in events is this times that. @defaultValue 2000
   */
  readonly maxQueuedJobs: number;
  /** `LEDGERFLOW_INGEST_RESUME_QUEUED_JOBS`: low watermark, ingest reads on at or below it. @defaultValue half of maxQueuedJobs */
  readonly resumeQueuedJobs: number;
  /** `LEDGERFLOW_INGEST_BACKPRESSURE_POLL_MS`: how often the queue depth is read for backpressure (ms). @defaultValue 500 */
  readonly backpressurePollMs: number;
  /**
   * `LEDGERFLOW_INGEST_STATUS_INTERVAL_MS`: a standby status update (the last confirmed position)
   * is sent this often whatever happens, like pg_recvlogical's --status-interval, so that the
   * walsender does not time out (wal_sender_timeout) while ingest is paused and not reading its
   * keepalives. Keep it well under wal_sender_timeout. @defaultValue 10000
   */
  readonly statusIntervalMs: number;
  /** `LEDGERFLOW_INGEST_RETAINED_WAL_WARN_BYTES`: warn (at most every 5 min) while the slot retains more WAL; 0: never. @defaultValue 1 GiB */
  readonly retainedWalWarnBytes: number;
  /** `OTEL_SERVICE_NAME` @defaultValue ledgerflow-ingest */
  readonly serviceName: string;
  /**
   * From `OTEL_EXPORTER_OTLP_ENDPOINT` (e.g. http://127.0.0.1:4318) + `/v1/traces`; undefined
   * (no trace export) when it is unset or `OTEL_TRACES_EXPORTER` is `none`.
   */
  readonly otlpTracesUrl: string | undefined;
}

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/ledgerflow';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const schema = z.object({
  DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE_URL),
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),
  LEDGERFLOW_PARTITIONS: z.coerce.number().int().min(1).max(1024).optional(),
  LEDGERFLOW_REDIS_PREFIX: z.string().min(1).optional(),
  // Interpolated into START_REPLICATION, so only the characters PostgreSQL needs no quoting for.
  LEDGERFLOW_SLOT: z.string().regex(/^[a-z0-9_]{1,63}$/, 'slot names are [a-z0-9_], at most 63 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LEDGERFLOW_INGEST_MAX_BATCH_EVENTS: positiveInt(2000),
  LEDGERFLOW_INGEST_FLUSH_INTERVAL_MS: z.coerce.number().int().min(0).default(2),
  LEDGERFLOW_INGEST_MAX_JOBS_PER_SECOND: z.coerce.number().int().min(0).optional(),
  LEDGERFLOW_INGEST_MAX_PENDING_EVENTS: positiveInt(20_000),
  LEDGERFLOW_INGEST_MAX_EVENTS_PER_JOB: positiveInt(1000),
  LEDGERFLOW_INGEST_CATCHUP_PAGE_SIZE: positiveInt(5000),
  LEDGERFLOW_INGEST_RETRY_INITIAL_MS: positiveInt(200),
  LEDGERFLOW_INGEST_RETRY_MAX_MS: positiveInt(5000),
  LEDGERFLOW_INGEST_REDIS_CHECK_MS: positiveInt(1000),
  LEDGERFLOW_INGEST_OPS_PORT: z.coerce.number().int().min(0).max(65_535).default(9465),
  LEDGERFLOW_INGEST_OPS_HOST: z.string().min(1).default('127.0.0.1'),
  LEDGERFLOW_INGEST_METRICS_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  LEDGERFLOW_INGEST_MAX_QUEUED_JOBS: z.coerce.number().int().min(0).default(2000),
  LEDGERFLOW_INGEST_RESUME_QUEUED_JOBS: z.coerce.number().int().min(0).optional(),
  LEDGERFLOW_INGEST_BACKPRESSURE_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  LEDGERFLOW_INGEST_STATUS_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  LEDGERFLOW_INGEST_RETAINED_WAL_WARN_BYTES: z.coerce.number().int().min(0).default(1024 ** 3),
  OTEL_SERVICE_NAME: z.string().min(1).default('ledgerflow-ingest'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL').optional(),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none']).default('otlp'),
});

/**
 * The OTLP/HTTP traces URL: the base endpoint plus `/v1/traces`, as the OpenTelemetry spec
 * says for OTEL_EXPORTER_OTLP_ENDPOINT. No endpoint, or OTEL_TRACES_EXPORTER=none: no export.
 */
export function tracesUrl(endpoint: string | undefined, exporter: 'otlp' | 'none'): string | undefined {
  if (endpoint === undefined || exporter === 'none') return undefined;
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/** The database name in a PostgreSQL URL (the default slot and prefix are named after it). */
export function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  return name.length > 0 ? name : 'postgres';
}

/** `ledgerflow_<dbname>`, reduced to what a slot name may hold. */
export function defaultSlotName(databaseUrl: string): string {
  return `ledgerflow_${databaseName(databaseUrl)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 63);
}

/**
 * Reads and validates the ingest configuration (empty values count as unset, as in the API);
 * throws CONFIG_INVALID listing every problem.
 */
export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new LedgerflowError('CONFIG_INVALID', `invalid ingest configuration: ${problems.join('; ')}`, { details: { problems } });
  }
  const e = parsed.data;
  let dbName: string;
  try {
    dbName = databaseName(e.DATABASE_URL);
  } catch (cause) {
    throw new LedgerflowError('CONFIG_INVALID', 'DATABASE_URL is not a URL', { cause });
  }
  if (e.LEDGERFLOW_INGEST_MAX_PENDING_EVENTS < e.LEDGERFLOW_INGEST_MAX_BATCH_EVENTS) {
    throw new LedgerflowError('CONFIG_INVALID', 'LEDGERFLOW_INGEST_MAX_PENDING_EVENTS must be at least LEDGERFLOW_INGEST_MAX_BATCH_EVENTS');
  }
  if (e.LEDGERFLOW_INGEST_RETRY_MAX_MS < e.LEDGERFLOW_INGEST_RETRY_INITIAL_MS) {
    throw new LedgerflowError('CONFIG_INVALID', 'LEDGERFLOW_INGEST_RETRY_MAX_MS must be at least LEDGERFLOW_INGEST_RETRY_INITIAL_MS');
  }
  const resumeQueuedJobs = e.LEDGERFLOW_INGEST_RESUME_QUEUED_JOBS ?? defaultResumeAt(e.LEDGERFLOW_INGEST_MAX_QUEUED_JOBS);
  if (e.LEDGERFLOW_INGEST_MAX_QUEUED_JOBS > 0 && resumeQueuedJobs >= e.LEDGERFLOW_INGEST_MAX_QUEUED_JOBS) {
    throw new LedgerflowError('CONFIG_INVALID', 'LEDGERFLOW_INGEST_RESUME_QUEUED_JOBS must be below LEDGERFLOW_INGEST_MAX_QUEUED_JOBS');
  }
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    partitions: e.LEDGERFLOW_PARTITIONS ?? DEFAULT_PARTITION_COUNT,
    partitionsSet: e.LEDGERFLOW_PARTITIONS !== undefined,
    redisPrefix: e.LEDGERFLOW_REDIS_PREFIX ?? `ledgerflow-${dbName}`,
    slotName: e.LEDGERFLOW_SLOT ?? defaultSlotName(e.DATABASE_URL),
    logLevel: e.LOG_LEVEL,
    maxBatchEvents: e.LEDGERFLOW_INGEST_MAX_BATCH_EVENTS,
    flushIntervalMs: e.LEDGERFLOW_INGEST_FLUSH_INTERVAL_MS,
    maxJobsPerSecond: e.LEDGERFLOW_INGEST_MAX_JOBS_PER_SECOND ?? defaultMaxJobsPerSecond(e.LEDGERFLOW_PARTITIONS ?? DEFAULT_PARTITION_COUNT),
    maxJobsPerSecondSet: e.LEDGERFLOW_INGEST_MAX_JOBS_PER_SECOND !== undefined,
    maxPendingEvents: e.LEDGERFLOW_INGEST_MAX_PENDING_EVENTS,
    maxEventsPerJob: e.LEDGERFLOW_INGEST_MAX_EVENTS_PER_JOB,
    catchupPageSize: e.LEDGERFLOW_INGEST_CATCHUP_PAGE_SIZE,
    retryInitialMs: e.LEDGERFLOW_INGEST_RETRY_INITIAL_MS,
    retryMaxMs: e.LEDGERFLOW_INGEST_RETRY_MAX_MS,
    redisCheckIntervalMs: e.LEDGERFLOW_INGEST_REDIS_CHECK_MS,
    opsPort: e.LEDGERFLOW_INGEST_OPS_PORT,
    opsHost: e.LEDGERFLOW_INGEST_OPS_HOST,
    metricsPollMs: e.LEDGERFLOW_INGEST_METRICS_POLL_MS,
    maxQueuedJobs: e.LEDGERFLOW_INGEST_MAX_QUEUED_JOBS,
    resumeQueuedJobs,
    backpressurePollMs: e.LEDGERFLOW_INGEST_BACKPRESSURE_POLL_MS,
    statusIntervalMs: e.LEDGERFLOW_INGEST_STATUS_INTERVAL_MS,
    retainedWalWarnBytes: e.LEDGERFLOW_INGEST_RETAINED_WAL_WARN_BYTES,
    serviceName: e.OTEL_SERVICE_NAME,
    otlpTracesUrl: tracesUrl(e.OTEL_EXPORTER_OTLP_ENDPOINT, e.OTEL_TRACES_EXPORTER),
  });
}

/**
 * The configuration with the partition count agreed with the database (agreeOnPartitions):
 * what depends on the count follows it, unless set on its own (the job budget).
 */
export function withPartitions(config: IngestConfig, partitions: number): IngestConfig {
  const maxJobsPerSecond = config.maxJobsPerSecondSet ? config.maxJobsPerSecond : defaultMaxJobsPerSecond(partitions);
  return Object.freeze({ ...config, partitions, maxJobsPerSecond });
}
