import { createDb, type LedgerDatabase } from '@ledgerflow/sinks';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { IngestConfig } from './config';
import { completedJobsToKeep } from './job-retention';
import { createPublisher, type EventPublisher, type PublisherOptions } from './publisher';

/** The connections one ingest owns (the replication connection aside). */
export interface IngestResources {
  readonly pool: pg.Pool;
  readonly db: Kysely<LedgerDatabase>;
  readonly publisher: EventPublisher;
  /** Closes the queues, Redis and PostgreSQL; never throws. */
  close(): Promise<void>;
}

/** Observability of the publisher (see PublisherOptions); all optional. */
export type PublisherTelemetry = Pick<PublisherOptions, 'observer' | 'tracer'>;

/** Opens a small PostgreSQL pool (slot checks, catch-up reads, WAL stats) and one shared Redis connection. */
export function openResources(config: IngestConfig, logger: Logger, telemetry: PublisherTelemetry = {}): IngestResources {
  // Lives across sessions: a connection broken by a server restart is dropped from the pool
  // (the 'error' below) and the next query opens a fresh one.
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2, application_name: 'ledgerflow-ingest', connectionTimeoutMillis: 10_000 });
  pool.on('error', (error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed'));
  const db = createDb(pool);
  // Producer connection with ioredis defaults: commands queue while it reconnects, so a short
  // Redis blip only delays a flush; a long outage fails it, and the supervisor restarts the
  // session (nothing unqueued was confirmed, so the slot replays it). A blip that restarted
  // Redis empty is the guard's job (redis-guard.ts).
  const redis = new Redis(config.redisUrl);
  redis.on('error', (error) => logger.warn({ err: error }, 'Redis connection error'));
  const publisher = createPublisher({ redis, prefix: config.redisPrefix, partitions: config.partitions, maxEventsPerJob: config.maxEventsPerJob, completedJobsKept: completedJobsToKeep(config.maxPendingEvents, config.maxEventsPerJob), logger, ...telemetry });
  return {
    pool,
    db,
    publisher,
    async close() {
      await publisher.close().catch((error: unknown) => logger.warn({ err: error }, 'closing queues failed'));
      await redis.quit().catch(() => redis.disconnect());
      await db.destroy().catch(() => undefined);
    },
  };
}
