import type { AccountRow, StoredEvent, TransactionRow } from '@ledgerflow/cdc-core';
import { foldBatch, type FoldFailure } from './fold-batch';
import { planApply } from './plan-apply';
import { contiguousPrefix, versionGapFailure } from './version-gap';

/** What replaying one account's stored events onto its row gives. */
export interface ReplayResult {
  /** The row after the events applied (the input row when none applied; undefined if none yet). */
  readonly row: AccountRow | undefined;
  /** One row per money event applied, in version order. */
  readonly transactions: TransactionRow[];
  /** Events the row now reflects beyond the input row, skipped ones included. */
  readonly applied: number;
  readonly skipped: number;
  /** Where it stopped: the first event that cannot be applied and everything after it. */
  readonly failure?: FoldFailure;
}

/**
 * Re-applies an account's events as the event store holds them now (a redrive, G5): the events
 * above the row's version, in version order, through the same fold as the projector, skipped
 * events as no-ops. A hole in the versions stops it with EVENT_VERSION_GAP at the first event
 * after the hole; a poison event stops it before; either way the events before the stop apply
 * and every later one is held, in version order. Pure.
 */
export function replayAccount(accountId: string, row: AccountRow | undefined, events: readonly StoredEvent[], skipped: ReadonlySet<string>): ReplayResult {
  const currentVersion = row?.version ?? 0;
  const plan = planApply(currentVersion, events);
  const gap = plan.missing ? versionGapFailure(accountId, events, plan.missing.fromVersion) : undefined;
  const usable = plan.missing ? contiguousPrefix(currentVersion, events, plan.missing.fromVersion) : plan.apply;
  const fold = foldBatch(row ? new Map([[accountId, row]]) : new Map(), new Map([[accountId, usable]]), skipped);
  const stopped = fold.failures[0];
  // A poison event before the hole stops first; what lies beyond the hole is held behind it too.
  const failure = stopped && gap ? { ...stopped, held: [...stopped.held, gap.event, ...gap.held] } : (stopped ?? gap);
  const result = { row: fold.accounts[0] ?? row, transactions: fold.transactions, applied: fold.applied, skipped: fold.skipped };
  return failure ? { ...result, failure } : result;
}
