import { agreePartitionCount, createDb } from '@ledgerflow/sinks';
import pg from 'pg';
import type { ProjectorConfig } from './config';

/**
 * The configuration with the partition count agreed with the database (decision 017): the
 * recorded one, or the configured one once recorded. Throws PARTITION_COUNT_MISMATCH for a
 * count set otherwise, and whatever reaching PostgreSQL throws (a projector does not start
 * without it: joining the fleet needs it too).
 */
export async function agreeOnPartitions(config: ProjectorConfig): Promise<ProjectorConfig> {
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 1, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined); // an idle connection failing is of no interest: the pool is closed below
  const db = createDb(pool);
  try {
    const partitions = await agreePartitionCount(db, { partitions: config.partitions, source: config.partitionsSet ? 'set' : 'default' });
    return partitions === config.partitions ? config : Object.freeze({ ...config, partitions });
  } finally {
    await db.destroy();
  }
}
