import { createDb } from '@ledgerflow/sinks';
import pg from 'pg';
import type { Logger } from 'pino';
import type { ProjectorConfig } from './config';
import { logFoldFailures, type FailureHandler } from './fold-failures';
import { PartitionConsumer } from './partition-consumer';
import { ProjectorCounters, type ProjectorStats } from './projector-stats';

/** How the projector is started. */
export interface StartProjectorOptions {
  readonly logger: Logger;
  /**
   * The partitions this process consumes; every one of 0 … P-1 by default. (Partition
   * ownership across a fleet will choose this set.)
   */
  readonly partitions?: readonly number[];
  /** Receives the events that cannot be applied; by default each is logged with its code. */
  readonly onFailures?: FailureHandler;
}

/** A running projector. */
export interface Projector {
  /** The partitions it consumes. */
  readonly partitions: readonly number[];
  /** Finishes the batches in hand, closes the queue workers and the database pool. Idempotent. */
  stop(): Promise<void>;
  /** Running totals since start. */
  stats(): ProjectorStats;
}

/** Checks and sorts an explicit partition set, or returns 0 … P-1. */
export function resolvePartitions(total: number, chosen?: readonly number[]): number[] {
  if (chosen === undefined) return Array.from({ length: total }, (_, p) => p);
  for (const p of chosen) {
    if (!Number.isInteger(p) || p < 0 || p >= total) throw new RangeError(`partition ${p} is not one of 0…${total - 1}`);
  }
  return [...new Set(chosen)].sort((a, b) => a - b);
}

/**
 * Starts one queue consumer per partition (concurrency 1 each, so each partition is one ordered
 * stream of transactions) sharing one PostgreSQL pool.
 *
 * @example
 * const projector = await startProjector(loadProjectorConfig(), { logger: pino() });
 * process.once('SIGTERM', () => void projector.stop());
 */
export async function startProjector(config: ProjectorConfig, options: StartProjectorOptions): Promise<Projector> {
  const { logger } = options;
  const partitions = resolvePartitions(config.partitions, options.partitions);
  // One transaction per partition at a time, most of them short: half as many connections suffice.
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: Math.ceil(partitions.length / 2) + 2, application_name: 'ledgerflow-projector' });
  pool.on('error', (err) => logger.warn({ err }, 'idle PostgreSQL connection failed'));
  // A connection lost mid-transaction also emits 'error' on its client, which pg-pool only
  // listens to while the client is idle: unheard, it would crash the process. The query in
  // flight fails as well, so the batch rolls back and is retried; the pool drops the client.
  pool.on('connect', (client) => client.on('error', (err) => logger.warn({ err }, 'PostgreSQL connection lost')));
  const db = createDb(pool);
  const counters = new ProjectorCounters();
  const onFailures = options.onFailures ?? logFoldFailures(logger);
  const consumers = partitions.map(
    (partition) =>
      new PartitionConsumer({
        partition,
        db,
        redisUrl: config.redisUrl,
        prefix: config.redisPrefix,
        maxBatchEvents: config.maxBatchEvents,
        flushMs: config.flushMs,
        logger,
        onFailures,
        counters,
      }),
  );
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await Promise.allSettled(consumers.map((c) => c.stop()));
      await db.destroy();
      logger.info({ stats: counters.snapshot() }, 'projector stopped');
    })());
  try {
    await Promise.all(consumers.map((c) => c.start()));
  } catch (err) {
    await stop();
    throw err;
  }
  logger.info({ partitions, prefix: config.redisPrefix, maxBatchEvents: config.maxBatchEvents, flushMs: config.flushMs }, 'projector started');
  return { partitions, stop, stats: () => counters.snapshot() };
}
