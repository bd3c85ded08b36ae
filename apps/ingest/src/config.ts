import { LedgerflowError } from '@ledgerflow/cdc-core';
import { z } from 'zod';

/** Everything the ingest service reads from its environment, validated and frozen. */
export interface IngestConfig {
  /** PostgreSQL connection string (the database holding `events`). */
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Number of partitions P: queues `p0` … `p{P-1}`. */
  readonly partitions: number;
  /** BullMQ key prefix of every partition queue. */
  readonly redisPrefix: string;
  /** Logical replication slot this ingest owns. */
  readonly slotName: string;
  readonly logLevel: string;
  /** Flush once this many events of whole transactions are pending. */
  readonly maxBatchEvents: number;
  /** Flush once the oldest pending transaction has waited this long (ms). */
  readonly flushIntervalMs: number;
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
}

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/ledgerflow';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const schema = z.object({
  DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE_URL),
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),
  LEDGERFLOW_PARTITIONS: z.coerce.number().int().min(1).max(1024).default(16),
  LEDGERFLOW_REDIS_PREFIX: z.string().min(1).optional(),
  // Interpolated into START_REPLICATION, so only the characters PostgreSQL needs no quoting for.
  LEDGERFLOW_SLOT: z.string().regex(/^[a-z0-9_]{1,63}$/, 'slot names are [a-z0-9_], at most 63 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LEDGERFLOW_INGEST_MAX_BATCH_EVENTS: positiveInt(2000),
  LEDGERFLOW_INGEST_FLUSH_INTERVAL_MS: z.coerce.number().int().min(0).default(5),
  LEDGERFLOW_INGEST_MAX_PENDING_EVENTS: positiveInt(20_000),
  LEDGERFLOW_INGEST_MAX_EVENTS_PER_JOB: positiveInt(1000),
  LEDGERFLOW_INGEST_CATCHUP_PAGE_SIZE: positiveInt(5000),
  LEDGERFLOW_INGEST_RETRY_INITIAL_MS: positiveInt(200),
  LEDGERFLOW_INGEST_RETRY_MAX_MS: positiveInt(5000),
  LEDGERFLOW_INGEST_REDIS_CHECK_MS: positiveInt(1000),
});

/** The database name in a PostgreSQL URL (the default slot and prefix are named after it). */
export function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  return name.length > 0 ? name : 'postgres';
}

/** `ledgerflow_<dbname>`, reduced to what a slot name may hold. */
export function defaultSlotName(databaseUrl: string): string {
  return `ledgerflow_${databaseName(databaseUrl)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 63);
}

/** Reads and validates the ingest configuration; throws CONFIG_INVALID listing every problem. */
export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const parsed = schema.safeParse(env);
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
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    partitions: e.LEDGERFLOW_PARTITIONS,
    redisPrefix: e.LEDGERFLOW_REDIS_PREFIX ?? `ledgerflow-${dbName}`,
    slotName: e.LEDGERFLOW_SLOT ?? defaultSlotName(e.DATABASE_URL),
    logLevel: e.LOG_LEVEL,
    maxBatchEvents: e.LEDGERFLOW_INGEST_MAX_BATCH_EVENTS,
    flushIntervalMs: e.LEDGERFLOW_INGEST_FLUSH_INTERVAL_MS,
    maxPendingEvents: e.LEDGERFLOW_INGEST_MAX_PENDING_EVENTS,
    maxEventsPerJob: e.LEDGERFLOW_INGEST_MAX_EVENTS_PER_JOB,
    catchupPageSize: e.LEDGERFLOW_INGEST_CATCHUP_PAGE_SIZE,
    retryInitialMs: e.LEDGERFLOW_INGEST_RETRY_INITIAL_MS,
    retryMaxMs: e.LEDGERFLOW_INGEST_RETRY_MAX_MS,
    redisCheckIntervalMs: e.LEDGERFLOW_INGEST_REDIS_CHECK_MS,
  });
}
