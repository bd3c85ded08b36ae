import { isLedgerflowError, type LedgerflowError, type StoredEvent } from '@ledgerflow/cdc-core';
import { evolveAccount } from './evolve-account';
import { skipAccountEvent } from './skip-event';
import type { AccountRow, TransactionRow } from '@ledgerflow/cdc-core';

/** An event that could not be applied, with the error that says why. */
export interface FoldFailure {
  readonly accountId: string;
  readonly event: StoredEvent;
  readonly error: LedgerflowError;
  /** The account's later events in this batch, held back behind the failed one (G5). */
  readonly held: readonly StoredEvent[];
}

/** The rows a batch produces. */
export interface FoldResult {
  /** The final row of every account the batch changed (one per account). */
  readonly accounts: AccountRow[];
  /** One row per money event applied, in version order per account. */
  readonly transactions: TransactionRow[];
  readonly failures: FoldFailure[];
  /** Events the rows now reflect, skipped ones included. */
  readonly applied: number;
  /** Of those, events skipped by an operator (no effect but the version). */
  readonly skipped: number;
}

const NONE: ReadonlySet<string> = new Set();

/**
 * Folds contiguous per-account event lists (see planApply) onto the current rows. Pure. An
 * account whose event fails keeps the rows of the events before it and holds the rest; every
 * other account folds on. An event whose id is in `skipped` is applied with no effect but the
 * version (skipAccountEvent). Errors that are not LedgerflowErrors are bugs and propagate.
 */
export function foldBatch(
  current: ReadonlyMap<string, AccountRow>,
  eventsByAccount: ReadonlyMap<string, readonly StoredEvent[]>,
  skippedIds: ReadonlySet<string> = NONE,
): FoldResult {
  const accounts: AccountRow[] = [];
  const transactions: TransactionRow[] = [];
  const failures: FoldFailure[] = [];
  let applied = 0;
  let skipped = 0;
  for (const [accountId, events] of eventsByAccount) {
    const initial = current.get(accountId);
    let row = initial;
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      const skip = skippedIds.has(event.eventId);
      try {
        const next = skip ? skipAccountEvent(row, event) : evolveAccount(row, event);
        row = next.row;
        if (next.transaction) transactions.push(next.transaction);
        applied++;
        if (skip) skipped++;
      } catch (error) {
        if (!isLedgerflowError(error)) throw error;
        failures.push({ accountId, event, error, held: events.slice(i + 1) });
        break;
      }
    }
    if (row !== undefined && row !== initial) accounts.push(row);
  }
  return { accounts, transactions, failures, applied, skipped };
}
