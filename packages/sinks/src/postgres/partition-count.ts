import { decidePartitionCount, type WantedPartitionCount } from '@ledgerflow/cdc-core';
import { sql, type Kysely } from 'kysely';
import type { LedgerDatabase } from './database';

/** The partition count a database records (migration 0007), or null before any process started. */
export async function readPartitionCount(db: Kysely<LedgerDatabase>): Promise<number | null> {
  const { rows } = await sql<{ partitions: number }>`select partitions from ledgerflow_partitioning`.execute(db);
  return rows[0]?.partitions ?? null;
}

/**
 * Agrees on the partition count with the database before a process starts (decidePartitionCount)
 * and returns the count to run with: records the wanted count if nothing is recorded yet; with
 * a count set, returns it if it is the recorded one; without, returns the recorded one. Throws a
 * non-retryable PARTITION_COUNT_MISMATCH otherwise. Two processes recording at once cannot both
 * win: the loser reads the winner's count and is judged against it.
 */
export async function agreePartitionCount(db: Kysely<LedgerDatabase>, wanted: WantedPartitionCount): Promise<number> {
  for (;;) {
    const recorded = await readPartitionCount(db);
    const highest = recorded === null ? await highestCheckpointPartition(db) : null;
    const decision = decidePartitionCount({ ...wanted, recorded, highestCheckpointPartition: highest });
    if (decision.kind === 'agree') return decision.partitions;
    if (decision.kind === 'refuse') throw decision.error;
    const inserted = await sql`insert into ledgerflow_partitioning (partitions) values (${decision.partitions}) on conflict (only_row) do nothing returning partitions`.execute(db);
    if (inserted.rows.length === 1) return decision.partitions;
  }
}

async function highestCheckpointPartition(db: Kysely<LedgerDatabase>): Promise<number | null> {
  const { rows } = await sql<{ highest: number | null }>`select max(partition) as highest from projection_checkpoints`.execute(db);
  return rows[0]?.highest ?? null;
}

/** What changePartitionCount did: the count before, and why it refused (nothing changed then). */
export interface PartitionCountChange {
  readonly previous: number | null;
  readonly changed: boolean;
  readonly refusals: readonly string[];
}

/**
 * Records `partitions` as the database's count, replacing any count recorded before, unless
 * `refusals` (read under the same lock) names a reason not to: changing the count while events
 * are in flight re-routes accounts between queues (decision 003, 017), so the caller checks
 * that the pipeline is drained. The record stays locked from before the check until the commit:
 * a process starting meanwhile waits, then agrees with the new count or is refused.
 */
export async function changePartitionCount(
  db: Kysely<LedgerDatabase>,
  partitions: number,
  refusals: (trx: Kysely<LedgerDatabase>, previous: number | null) => Promise<readonly string[]>,
): Promise<PartitionCountChange> {
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) throw new RangeError(`partitions must be an integer from 1 to 1024, got ${partitions}`);
  return db.transaction().execute(async (trx) => {
    await sql`lock table ledgerflow_partitioning in access exclusive mode`.execute(trx);
    const previous = await readPartitionCount(trx);
    if (previous === partitions) return { previous, changed: false, refusals: [] };
    const reasons = await refusals(trx, previous);
    if (reasons.length > 0) return { previous, changed: false, refusals: reasons };
    await sql`insert into ledgerflow_partitioning (partitions) values (${partitions})
              on conflict (only_row) do update set partitions = excluded.partitions, recorded_at = now()`.execute(trx);
    return { previous, changed: true, refusals: [] };
  });
}
