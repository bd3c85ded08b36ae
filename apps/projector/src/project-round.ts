import { performance } from 'node:perf_hooks';
import { foldBatch } from '@ledgerflow/projections';
import { loadBatchStart, readVersionRanges, writeProjections, type LedgerDatabase, type PartitionCheckpoint } from '@ledgerflow/sinks';
import type { AccountRow, StoredEvent, TransactionRow } from '@ledgerflow/cdc-core';
import type { Kysely } from 'kysely';
import { appliedEvents, groupByAccount, highestPosition, planBatch, repairPlan } from './batch-plan';
import { commitLimitAfter, type BatchTimeouts } from './batch-timeouts';
import type { BatchOutcome } from './project-batch';

/** One partition's batch in a round. */
export interface RoundBatch {
  readonly partition: number;
  readonly events: readonly StoredEvent[];
  /**
   * Backend pid of the connection holding the partition's lock, when the round runs on another
   * connection: the write then checks, inside its statement, that the lock is still held.
   */
  readonly lockPid?: number;
}

/** What a round needs besides its batches. */
export interface RoundOptions {
  /** The advisory lock namespace of the partition locks (when batches give a lockPid). */
  readonly lockNamespace?: number;
  readonly timeouts?: BatchTimeouts;
}

/**
 * The common batches of one or more partitions in TWO statements and no explicit transaction:
 * one reads every account's row and whether it is parked (one snapshot); one writes every
 * batch's rows and checkpoint (atomic by itself; the version guard, and the partition fence
 * when the batches carry lock pids, raise inside it). Returns, per batch, its outcome — or
 * undefined when the batch is not a common one (an account of it is parked, or an event of it
 * fails): nothing of such a batch is written, and it must be projected on its own, in a
 * transaction (projectBatchOutcome). Any thrown error means nothing of the round was written.
 *
 * Safe without a transaction around both statements for the reasons given at
 * projectBatchOutcome: nobody else writes these partitions' rows meanwhile (their locks are
 * held, and checked by the write), only a partition parks its accounts, and a redrive only
 * touches parked ones. Partitions never share an account, so their batches fold independently.
 */
export async function projectCommonRound(db: Kysely<LedgerDatabase>, batches: readonly RoundBatch[], options: RoundOptions = {}): Promise<(BatchOutcome | undefined)[]> {
  const started = performance.now();
  const delivered = batches.map((b) => groupByAccount(b.events));
  const start = await loadBatchStart(db, delivered.flatMap((d) => [...d.keys()]));
  const outcomes: (BatchOutcome | undefined)[] = [];
  const accounts: AccountRow[] = [];
  const transactions: TransactionRow[] = [];
  const checkpoints: PartitionCheckpoint[] = [];
  const holders: { partition: number; pid: number }[] = [];
  for (const [i, batch] of batches.entries()) {
    const mine = delivered[i]!;
    if ([...mine.keys()].some((id) => start.parked.has(id))) {
      outcomes.push(undefined);
      continue;
    }
    let plan = planBatch(start.accounts, mine);
    if (plan.gaps.length > 0) plan = repairPlan(plan, start.accounts, mine, await readVersionRanges(db, plan.gaps));
    const fold = foldBatch(start.accounts, plan.apply);
    if (plan.failures.length > 0 || fold.failures.length > 0) {
      outcomes.push(undefined);
      continue;
    }
    const applied = appliedEvents(plan.apply, []);
    if (fold.applied > 0) {
      accounts.push(...fold.accounts);
      transactions.push(...fold.transactions);
      checkpoints.push({ partition: batch.partition, position: highestPosition(applied), eventsApplied: fold.applied });
      if (batch.lockPid !== undefined) holders.push({ partition: batch.partition, pid: batch.lockPid });
    }
    outcomes.push({ stats: { applied: fold.applied, duplicates: plan.duplicates, repaired: plan.repaired, failures: 0, held: 0 }, applied, failureCodes: [] });
  }
  if (checkpoints.length > 0) {
    // The write commits as it ends: the batch limit is checked before it, and the server
    // limits the statement itself (the connection's statement_timeout).
    if (options.timeouts) commitLimitAfter(options.timeouts, performance.now() - started);
    const fence = holders.length > 0 && options.lockNamespace !== undefined ? { namespace: options.lockNamespace, holders } : undefined;
    await writeProjections(db, { accounts, transactions, checkpoints, ...(fence ? { fence } : {}) });
  }
  return outcomes;
}
