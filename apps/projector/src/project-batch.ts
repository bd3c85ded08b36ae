import type { StoredEvent } from '@ledgerflow/cdc-core';
import { foldBatch } from '@ledgerflow/projections';
import { loadAccounts, readVersionRanges, writeProjection, type LedgerDatabase } from '@ledgerflow/sinks';
import type { Kysely } from 'kysely';
import { groupByAccount, highestAppliedPosition, planBatch, repairPlan } from './batch-plan';
import type { FailureHandler } from './fold-failures';

/** What one batch did. */
export interface BatchStats {
  /** Events folded into the read models (delivered or repaired). */
  readonly applied: number;
  /** Delivered events that were already reflected, or delivered twice (no-ops, G1). */
  readonly duplicates: number;
  /** Events read from the event store to fill a gap in the delivery (G2). */
  readonly repaired: number;
  /** Accounts stopped by an event that cannot be applied. */
  readonly failures: number;
}

/** Options of `projectBatch`. */
export interface ProjectBatchOptions {
  /** Receives the failures inside the transaction; by default they are only counted. */
  readonly onFailures?: FailureHandler;
  /**
   * Called inside the transaction after every write, right before COMMIT: a seam for
   * fault-injection tests (freeze a member while its batch is in hand). Throwing rolls back.
   */
  readonly beforeCommit?: () => Promise<void>;
}

const NOTHING: BatchStats = Object.freeze({ applied: 0, duplicates: 0, repaired: 0, failures: 0 });

/**
 * Folds one partition's events into the read models in ONE transaction: load the rows, plan
 * per account (redeliveries drop out), read missing versions from the event store in one round
 * trip, fold, hand failures over, then the version-guarded write with the partition checkpoint.
 * Any thrown error rolls everything back; STALE_WRITE, serialization failures and connection
 * errors are worth retrying (see isRetryableError). Events may come in any order and any number
 * of times: the result only depends on the event store.
 */
export async function projectBatch(
  db: Kysely<LedgerDatabase>,
  partition: number,
  events: readonly StoredEvent[],
  options: ProjectBatchOptions = {},
): Promise<BatchStats> {
  if (events.length === 0) return NOTHING;
  return db.transaction().execute(async (trx) => {
    const delivered = groupByAccount(events);
    const current = await loadAccounts(trx, [...delivered.keys()]);
    let plan = planBatch(current, delivered);
    if (plan.gaps.length > 0) plan = repairPlan(plan, current, delivered, await readVersionRanges(trx, plan.gaps));
    const fold = foldBatch(current, plan.apply);
    const failures = [...plan.failures, ...fold.failures];
    if (failures.length > 0 && options.onFailures) await options.onFailures(failures, { db: trx, partition });
    if (fold.applied > 0) {
      await writeProjection(trx, {
        accounts: fold.accounts,
        transactions: fold.transactions,
        checkpoint: { partition, position: highestAppliedPosition(plan.apply, failures), eventsApplied: fold.applied },
      });
    }
    await options.beforeCommit?.();
    return { applied: fold.applied, duplicates: plan.duplicates, repaired: plan.repaired, failures: failures.length };
  });
}
