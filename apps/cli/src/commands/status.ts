import { partitionQueueName } from '@ledgerflow/cdc-core';
import { createDb, readPartitionCount, readPipelineStatus } from '@ledgerflow/sinks';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { CliConfig } from '../config';
import { formatStatus, type QueueStatus, type StatusReport } from '../shared/status-report';

/** `ledgerflow status`: partitions (owner, checkpoint, queue depth, lag), members, slots. */
export async function runStatus(config: CliConfig, options: { json: boolean }): Promise<number> {
  const db = createDb(new pg.Pool({ connectionString: config.databaseUrl, max: 4 }));
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  try {
    // The database's count, when it records one, is the pipeline's (decision 017): this CLI's own may differ.
    const recorded = await readPartitionCount(db);
    const partitions = recorded ?? config.partitions;
    const [pipeline, queues] = await Promise.all([readPipelineStatus(db, partitions), readQueues(redis, config.redisPrefix, partitions)]);
    const report: StatusReport = { at: new Date().toISOString(), redisPrefix: config.redisPrefix, partitionCount: { recorded, configured: config.partitionsSet ? config.partitions : null, shown: partitions }, pipeline, queues };
    if (options.json) console.log(JSON.stringify(report, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));
    else for (const line of formatStatus(report)) console.log(line);
    return 0;
  } finally {
    await db.destroy();
    redis.disconnect();
  }
}

/** Queue depth and the age of the oldest waiting or active job, per partition; null when Redis is down. */
async function readQueues(redis: Redis, redisPrefix: string, partitions: number): Promise<QueueStatus[] | null> {
  try {
    await redis.connect();
  } catch {
    return null;
  }
  const now = Date.now();
  return Promise.all(
    Array.from({ length: partitions }, async (_, partition) => {
      const queue = new Queue(partitionQueueName(partition), { connection: redis, prefix: redisPrefix });
      try {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
        const waiting = counts['waiting'] ?? 0;
        const candidates = [...(await queue.getActive(0, 0)), ...(waiting > 0 ? await queue.getWaiting(waiting - 1, waiting - 1) : []), ...(await queue.getWaiting(0, 0))];
        const oldest = candidates.reduce((min, job) => Math.min(min, job.timestamp), now);
        return { partition, waiting, active: counts['active'] ?? 0, delayed: counts['delayed'] ?? 0, failed: counts['failed'] ?? 0, oldestJobAgeMs: now - oldest };
      } finally {
        await queue.close();
      }
    }),
  );
}
