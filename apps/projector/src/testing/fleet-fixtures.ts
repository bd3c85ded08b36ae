import { randomUUID } from 'node:crypto';
import { batchJobId, encodeBatch, partitionOf, partitionQueueName, planPartitionBatches, type PartitionBatch, type StoredEvent } from '@ledgerflow/cdc-core';
import type { LedgerDatabase } from '@ledgerflow/sinks';
import { TEST_REDIS_URL } from '@ledgerflow/testkit';
import { Queue } from 'bullmq';
import { sql, type Kysely } from 'kysely';
import { loadProjectorConfig, type ProjectorConfig } from '../config';
import { PROJECTOR_LOCK_NAMESPACE } from '../fleet/fleet-rules';

/** Fast fleet timings for tests: a stalled member is fenced off after about a second. */
export const FAST_FLEET = {
  LEDGERFLOW_PROJECTOR_HEARTBEAT_MS: '100',
  LEDGERFLOW_PROJECTOR_MEMBER_TIMEOUT_MS: '1000',
  LEDGERFLOW_PROJECTOR_REBALANCE_MS: '100',
} as const;

/** A projector configuration on a test database and Redis prefix. */
export function testProjectorConfig(databaseUrl: string, prefix: string, partitions: number, env: Record<string, string> = {}): ProjectorConfig {
  return loadProjectorConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    LEDGERFLOW_PARTITIONS: String(partitions),
    LEDGERFLOW_REDIS_PREFIX: prefix,
    LOG_LEVEL: 'error',
    ...FAST_FLEET,
    ...env,
  });
}

/** One producer queue per partition, as ingest has. */
export function openQueues(prefix: string, partitions: number, redisUrl = TEST_REDIS_URL): Queue[] {
  return Array.from({ length: partitions }, (_, p) => new Queue(partitionQueueName(p), { connection: { url: redisUrl }, prefix }));
}

/** Adds events to the partition queues the way ingest does (job id from the batch, retries with backoff). */
export async function enqueue(queues: readonly Queue[], events: readonly StoredEvent[], eventsPerJob = 20): Promise<PartitionBatch[]> {
  const batches = planPartitionBatches(events, queues.length, eventsPerJob);
  for (const b of batches) {
    await queues[b.partition]!.add('batch', encodeBatch(b, Date.now()), {
      jobId: batchJobId(b),
      attempts: 20,
      backoff: { type: 'exponential', delay: 100 },
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 3600 },
    });
  }
  return batches;
}

/** A random account id on the given partition. */
export function accountOn(partition: number, partitions: number): string {
  for (;;) {
    const id = randomUUID();
    if (partitionOf(id, partitions) === partition) return id;
  }
}

/** Which member's connection holds each partition lock right now (from pg_locks), by partition. */
export async function lockHolders(db: Kysely<LedgerDatabase>): Promise<Map<number, string>> {
  const r = await sql<{ partition: number; application_name: string | null }>`
    select l.objid::int as partition, a.application_name from pg_locks l left join pg_stat_activity a on a.pid = l.pid
    where l.locktype = 'advisory' and l.granted and l.classid = ${PROJECTOR_LOCK_NAMESPACE}::oid and l.objsubid = 2
      and l.database = (select oid from pg_database where datname = current_database())`.execute(db);
  return new Map(r.rows.map((row) => [row.partition, (row.application_name ?? '').replace(/^lf-projector:/, '')]));
}

/** Sum of events_applied over every partition checkpoint. */
export async function eventsApplied(db: Kysely<LedgerDatabase>): Promise<number> {
  const r = await sql<{ n: string }>`select coalesce(sum(events_applied), 0)::text as n from projection_checkpoints`.execute(db);
  return Number(r.rows[0]!.n);
}
