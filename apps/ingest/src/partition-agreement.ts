import { setTimeout as delay } from 'node:timers/promises';
import { agreePartitionCount, createDb } from '@ledgerflow/sinks';
import pg from 'pg';
import type { Logger } from 'pino';
import { withPartitions, type IngestConfig } from './config';
import { backoffDelayMs, isFatal } from './retry-policy';

/**
 * Agrees on the partition count with the database before anything is built on it (metrics,
 * queues, the job budget): returns the configuration with the database's count (decision 017).
 * PostgreSQL being unreachable is retried with the sessions' backoff, as every start-up failure
 * of ingest is; a count the database refuses throws PARTITION_COUNT_MISMATCH at once. Resolves
 * undefined when `signal` aborts first.
 */
export async function agreeOnPartitions(config: IngestConfig, deps: { readonly logger: Logger; readonly signal: AbortSignal }): Promise<IngestConfig | undefined> {
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 1, application_name: 'ledgerflow-ingest', connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined); // a failed idle connection is retried below, or not needed any more
  const db = createDb(pool);
  try {
    for (let attempt = 1; !deps.signal.aborted; attempt++) {
      try {
        return withPartitions(config, await agreePartitionCount(db, { partitions: config.partitions, source: config.partitionsSet ? 'set' : 'default' }));
      } catch (error) {
        if (isFatal(error)) throw error;
        const delayMs = backoffDelayMs(attempt, config, Math.random());
        deps.logger.warn({ err: error, attempt, delayMs }, 'cannot read the partition count from PostgreSQL yet; retrying');
        // Ends early, without throwing, when aborted: the loop then returns undefined.
        await delay(delayMs, undefined, { signal: deps.signal }).catch(() => undefined);
      }
    }
    return undefined;
  } finally {
    await db.destroy();
  }
}
