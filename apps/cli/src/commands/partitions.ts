import { partitionQueueName } from '@ledgerflow/cdc-core';
import { changePartitionCount, createDb, readPartitionCount, readPipelineStatus, type LedgerDatabase, type PartitionCountChange } from '@ledgerflow/sinks';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { CliConfig } from '../config';
import { MEMBER_QUIET_MS, drainRefusals, type DrainState } from '../shared/drain-check';

/** Thrown for a command line that does not make sense: exit 2 with usage. */
export class PartitionsUsageError extends Error {}

/**
 * Job states a projector will still process. Failed jobs are not among them: nothing processes
 * them again, so they cannot race a new partition's jobs; whatever of theirs is unapplied is
 * found by account (gap repair, refills), whatever the count.
 */
const UNFINISHED_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

/**
 * `ledgerflow partitions` shows the partition count the database records (decision 017);
 * `ledgerflow partitions set N` changes it, only on a drained pipeline (drainRefusals).
 * Exit codes: 0 shown or set, 1 refused (prints why), 2 usage.
 */
export async function runPartitions(config: CliConfig, args: readonly string[], options: { json: boolean }): Promise<number> {
  const [action, value, ...extra] = args;
  if (extra.length > 0 || (action === undefined && value !== undefined)) throw new PartitionsUsageError(`unexpected argument ${JSON.stringify(extra[0] ?? value)}`);
  if (action !== undefined && action !== 'set') throw new PartitionsUsageError(`unknown partitions action ${JSON.stringify(action)}`);
  const requested = Number(value);
  if (action === 'set' && (value === undefined || !/^[0-9]+$/.test(value) || requested < 1 || requested > 1024)) throw new PartitionsUsageError('partitions set needs a count from 1 to 1024');
  const db = createDb(new pg.Pool({ connectionString: config.databaseUrl, max: 2 }));
  try {
    if (action === undefined) return await show(db, config, options);
    const change = await setPartitionCount(db, config, requested);
    if (options.json) console.log(JSON.stringify({ requested, ...change }, null, 2));
    else printChange(requested, change);
    return change.refusals.length > 0 ? 1 : 0;
  } finally {
    await db.destroy();
  }
}

async function show(db: Kysely<LedgerDatabase>, config: CliConfig, options: { json: boolean }): Promise<number> {
  const recorded = await readPartitionCount(db);
  const configured = config.partitionsSet ? config.partitions : null;
  if (options.json) console.log(JSON.stringify({ recorded, configured }, null, 2));
  else if (recorded === null) console.log(`no partition count recorded yet: the first ingest or projector to start records its own (${configured === null ? `the default, ${config.partitions}` : `LEDGERFLOW_PARTITIONS here: ${configured}`})`);
  else if (configured !== null && configured !== recorded) console.log(`${recorded} partitions recorded; LEDGERFLOW_PARTITIONS here is ${configured}: ingest and projectors started so would refuse to start`);
  else console.log(`${recorded} partitions recorded (ingest and projectors without LEDGERFLOW_PARTITIONS follow it)`);
  return 0;
}

function printChange(requested: number, change: PartitionCountChange): void {
  if (change.refusals.length > 0) {
    console.error(`partitions set ${requested}: refused, the record is unchanged:`);
    for (const reason of change.refusals) console.error(`  - ${reason}`);
  } else if (!change.changed) console.log(`${requested} partitions already recorded: nothing to do`);
  else console.log(`partition count ${change.previous ?? '(none)'} → ${requested}; start ingest and projectors with LEDGERFLOW_PARTITIONS=${requested}, or without it`);
}

/** Records `requested` as the database's partition count if the pipeline is drained (see changePartitionCount). */
export async function setPartitionCount(db: Kysely<LedgerDatabase>, config: CliConfig, requested: number): Promise<PartitionCountChange> {
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  try {
    return await changePartitionCount(db, requested, async (trx, previous) => {
      // The queues of both counts: the old one's may hold jobs, the new one's must not either.
      const queues = Math.max(previous ?? config.partitions, requested);
      const state = await readDrainState(trx, redis, config.redisPrefix, queues);
      return state === 'redis-unreachable' ? [`cannot read the queues: Redis (${config.redisUrl}) is unreachable`] : drainRefusals(state);
    });
  } finally {
    redis.disconnect();
  }
}

async function readDrainState(db: Kysely<LedgerDatabase>, redis: Redis, prefix: string, partitions: number): Promise<DrainState | 'redis-unreachable'> {
  const status = await readPipelineStatus(db, partitions);
  const lockHolders = status.partitions.flatMap((p) => (p.owner === null ? [] : [p.owner]));
  const heartbeating = status.members.filter((m) => m.heartbeatAgeMs < MEMBER_QUIET_MS).map((m) => m.memberId);
  const parked = await sql<{ n: string }>`select count(*) as n from parked_accounts`.execute(db);
  const busyQueues = await readBusyQueues(redis, prefix, partitions);
  if (busyQueues === null) return 'redis-unreachable';
  return {
    activeSlots: status.slots.filter((s) => s.active).map((s) => s.slotName),
    liveMembers: [...new Set([...heartbeating, ...lockHolders])].sort(),
    busyQueues,
    parkedAccounts: Number(parked.rows[0]!.n),
  };
}

async function readBusyQueues(redis: Redis, prefix: string, partitions: number): Promise<{ partition: number; jobs: number }[] | null> {
  try {
    if (redis.status !== 'ready') await redis.connect();
  } catch {
    return null;
  }
  const counts = await Promise.all(
    Array.from({ length: partitions }, async (_, partition) => {
      const queue = new Queue(partitionQueueName(partition), { connection: redis, prefix });
      try {
        const byState = await queue.getJobCounts(...UNFINISHED_STATES);
        return { partition, jobs: Object.values(byState).reduce((sum, n) => sum + n, 0) };
      } finally {
        await queue.close();
      }
    }),
  );
  return counts.filter((q) => q.jobs > 0);
}
