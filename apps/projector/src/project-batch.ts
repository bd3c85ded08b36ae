import { performance } from 'node:perf_hooks';
import type { StoredEvent } from '@ledgerflow/cdc-core';
import { foldBatch } from '@ledgerflow/projections';
import { holdEvents, loadAccounts, lockParkedAccounts, parkAccounts, readVersionRanges, writeProjection, type LedgerDatabase } from '@ledgerflow/sinks';
import type { Kysely } from 'kysely';
import { appliedEvents, groupByAccount, highestPosition, planBatch, repairPlan } from './batch-plan';
import { limitCommit, type BatchTimeouts } from './batch-timeouts';
import { projectCommonRound } from './project-round';
import { inBatchTransaction } from './batch-transaction';
import type { FailureHandler } from './fold-failures';
import { parkRequests, splitParked } from './park-plan';

/** What one batch did. */
export interface BatchStats {
  /** Events folded into the read models (delivered or repaired). */
  readonly applied: number;
  /** Delivered events that were already reflected, or delivered twice (no-ops, G1). */
  readonly duplicates: number;
  /** Events read from the event store to fill a gap in the delivery (G2). */
  readonly repaired: number;
  /** Accounts this batch parked: stopped by an event that cannot be applied (G5). */
  readonly failures: number;
  /** Events of accounts parked before this batch, appended to the dead-letter store as held. */
  readonly held: number;
}

/** Options of `projectBatch`. */
export interface ProjectBatchOptions {
  /**
   * Receives the failures inside the transaction, after the accounts were parked; by default
   * they are only counted. Throwing rolls the whole batch back.
   */
  readonly onFailures?: FailureHandler;
  /**
   * Called inside the transaction after every write, right before COMMIT: a seam for
   * fault-injection tests (freeze a member while its batch is in hand, or run a slow statement
   * on `db` to hit the time limit). Throwing rolls back.
   */
  readonly beforeCommit?: BeforeCommit;
  /** Time limits of the transaction and its COMMIT (see batch-timeouts); none without. */
  readonly timeouts?: BatchTimeouts;
}

/** The fault-injection seam of ProjectBatchOptions: the open transaction and what it projects. */
export type BeforeCommit = (context: { readonly db: Kysely<LedgerDatabase>; readonly partition: number; readonly events: readonly StoredEvent[] }) => Promise<void>;

/** What one batch did, with the details its metrics need beyond the counts. */
export interface BatchOutcome {
  readonly stats: BatchStats;
  /** The events folded into the read models (delivered or repaired), in no particular order. */
  readonly applied: readonly StoredEvent[];
  /** The error code of each account the batch parked (one per `stats.failures`). */
  readonly failureCodes: readonly string[];
}

const NOTHING: BatchStats = Object.freeze({ applied: 0, duplicates: 0, repaired: 0, failures: 0, held: 0 });
const NO_OUTCOME: BatchOutcome = Object.freeze({ stats: NOTHING, applied: [], failureCodes: [] });

/**
 * Folds one partition's events into the read models in ONE transaction: lock the parked
 * accounts among them and set their events aside, load the rows, plan per account
 * (redeliveries drop out), read missing versions from the event store in one round trip, fold,
 * the version-guarded write with the partition checkpoint, then park the accounts that failed
 * and hold the parked accounts' events in the dead-letter store (G5). Any thrown error rolls
 * everything back; STALE_WRITE, serialization failures, time limits and connection errors are
 * worth retrying (see isRetryableError). Events may come in any order and any number of times:
 * the result only depends on the event store (and the dead-letter store's parked accounts).
 * That is why a retried batch cannot reorder an account's events: a later batch that ran
 * first read the versions it lacked from the event store (repairPlan) and applied them in
 * version order; the retry then finds them reflected and drops them as duplicates (planApply),
 * and the version-guarded write refuses anything older than the row.
 */
export async function projectBatch(
  db: Kysely<LedgerDatabase>,
  partition: number,
  events: readonly StoredEvent[],
  options: ProjectBatchOptions = {},
): Promise<BatchStats> {
  return (await projectBatchOutcome(db, partition, events, options)).stats;
}

/** `projectBatch`, also returning which events were applied and why accounts were parked (for metrics). */
export async function projectBatchOutcome(
  db: Kysely<LedgerDatabase>,
  partition: number,
  events: readonly StoredEvent[],
  options: ProjectBatchOptions = {},
): Promise<BatchOutcome> {
  if (events.length === 0) return NO_OUTCOME;
  if (!options.beforeCommit) {
    const outcome = await projectCommonBatch(db, partition, events, options.timeouts);
    if (outcome) return outcome;
  }
  return projectInTransaction(db, partition, events, options);
}

/**
 * The common batch, in TWO round trips and no explicit transaction (projectCommonRound, for
 * this one partition through its own lock connection). Anything else (a parked account, an
 * event that fails, the fault-injection seam) returns undefined, and the batch is projected
 * again from the start in a transaction, which re-reads everything.
 */
async function projectCommonBatch(db: Kysely<LedgerDatabase>, partition: number, events: readonly StoredEvent[], timeouts: BatchTimeouts | undefined): Promise<BatchOutcome | undefined> {
  const [outcome] = await projectCommonRound(db, [{ partition, events }], timeouts ? { timeouts } : {});
  return outcome;
}

/** Every other batch: the whole of projectBatchOutcome's description, in one transaction. */
async function projectInTransaction(db: Kysely<LedgerDatabase>, partition: number, events: readonly StoredEvent[], options: ProjectBatchOptions): Promise<BatchOutcome> {
  const { timeouts } = options;
  const started = performance.now();
  return inBatchTransaction(db, timeouts?.batchMs, async (trx) => {
    const delivered = groupByAccount(events);
    const accountIds = [...delivered.keys()];
    // Before the rows are read: a redrive in flight then either finishes first or waits for us.
    const parked = await lockParkedAccounts(trx, accountIds);
    const current = await loadAccounts(trx, accountIds);
    const split = splitParked(current, delivered, parked);
    let plan = planBatch(current, split.flowing);
    if (plan.gaps.length > 0) plan = repairPlan(plan, current, split.flowing, await readVersionRanges(trx, plan.gaps));
    const fold = foldBatch(current, plan.apply);
    const failures = [...plan.failures, ...fold.failures];
    const applied = appliedEvents(plan.apply, failures);
    if (fold.applied > 0) {
      await writeProjection(trx, { accounts: fold.accounts, transactions: fold.transactions, checkpoint: { partition, position: highestPosition(applied), eventsApplied: fold.applied } });
    }
    // After the write, so that a row this batch created is marked stale too.
    const parks = parkRequests(partition, failures);
    await parkAccounts(trx, parks);
    await holdEvents(trx, split.holds);
    if (failures.length > 0 && options.onFailures) await options.onFailures(failures, { db: trx, partition });
    await options.beforeCommit?.({ db: trx, partition, events });
    if (timeouts) await limitCommit(trx, timeouts, performance.now() - started);
    const stats = { applied: fold.applied, duplicates: plan.duplicates + split.duplicates, repaired: plan.repaired, failures: parks.length, held: split.held };
    return { stats, applied, failureCodes: parks.map((p) => p.cause.code) };
  });
}
