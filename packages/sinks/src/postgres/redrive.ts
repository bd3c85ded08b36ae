import { LedgerflowError, isUuid, type AccountRow, type StoredEvent, type TransactionRow } from '@ledgerflow/cdc-core';
import { sql, type Kysely } from 'kysely';
import type { LedgerDatabase } from './database';
import { causeFromError, jsonText, markStale, replaceDeadLetters } from './dead-letters';
import { readStream } from './event-store-reads';
import { loadAccounts, writeProjection } from './read-model-store';

/** What replaying an account's events gives (the shape of @ledgerflow/projections' replayAccount). */
export interface ReplayOutcome {
  readonly row: AccountRow | undefined;
  readonly transactions: readonly TransactionRow[];
  /** Events the row reflects beyond the input row, skipped ones included. */
  readonly applied: number;
  readonly failure?: { readonly event: StoredEvent; readonly error: LedgerflowError; readonly held: readonly StoredEvent[] };
}

/**
 * The fold a redrive applies: the account's stored events above its row's version, in version
 * order, events whose id is in `skipped` as no-ops. Injected, because sinks does not depend on
 * the projections package; pass `replayAccount` from @ledgerflow/projections.
 */
export type AccountReplay = (accountId: string, row: AccountRow | undefined, events: readonly StoredEvent[], skipped: ReadonlySet<string>) => ReplayOutcome;

/** How a redrive ended. */
export type RedriveResult =
  | { readonly outcome: 'unparked'; readonly accountId: string; readonly applied: number; readonly version: number }
  | {
      readonly outcome: 'parked';
      readonly accountId: string;
      readonly applied: number;
      readonly version: number;
      readonly code: string;
      readonly message: string;
      readonly failedEventId: string;
      readonly failedVersion: number;
      readonly held: number;
      readonly attempts: number;
    };

/** Options of a redrive. */
export interface RedriveOptions {
  /** Called inside the transaction right before COMMIT, the parked row still locked: a seam for concurrency tests. */
  readonly beforeCommit?: () => Promise<void>;
}

/**
 * Redrives a parked account (G5) in one transaction: locks its parked row FOR UPDATE (batches
 * touching the account wait, see lockParkedAccounts), re-reads its events from the EVENT STORE
 * above the projection's version (the fix may be in the data or in the code), replays them
 * with `replay`, and writes what applied with the usual version-guarded write (the checkpoint
 * of the account's partition counts them; its position only moves forward). If everything
 * applied, the dead letters and the parked row go and the row is no longer stale. If an event
 * fails again, what applied before it stays applied and the account stays parked with the new
 * error, its dead letters rewritten from the store, and one more attempt counted.
 * Throws ACCOUNT_NOT_PARKED when there is nothing to redrive.
 */
export async function redriveParkedAccount(db: Kysely<LedgerDatabase>, accountId: string, replay: AccountReplay, options: RedriveOptions = {}): Promise<RedriveResult> {
  if (!isUuid(accountId)) throw notParked(accountId);
  const id = accountId.toLowerCase();
  return db.transaction().execute(async (trx) => {
    const locked = await sql<{ partition: number; attempts: number }>`
      select partition, attempts from parked_accounts where account_id = ${id}::uuid for update`.execute(trx);
    const parked = locked.rows[0];
    if (!parked) throw notParked(id);
    const current = (await loadAccounts(trx, [id])).get(id);
    const events = await readStream(trx, id, (current?.version ?? 0) + 1);
    const skipped = await sql<{ event_id: string }>`select event_id from skipped_events where account_id = ${id}::uuid`.execute(trx);
    const outcome = replay(id, current, events, new Set(skipped.rows.map((r) => r.event_id)));
    const version = outcome.row?.version ?? 0;
    if (outcome.applied > 0 && outcome.row) {
      const position = events.reduce((max, e) => (e.version <= version && e.position > max ? e.position : max), 0n);
      await writeProjection(trx, { accounts: [outcome.row], transactions: outcome.transactions, checkpoint: { partition: parked.partition, position, eventsApplied: outcome.applied } });
    }
    const failure = outcome.failure;
    if (!failure) {
      await sql`delete from dead_letter_events where account_id = ${id}::uuid`.execute(trx);
      await sql`delete from parked_accounts where account_id = ${id}::uuid`.execute(trx);
      await markStale(trx, [id], false);
      await options.beforeCommit?.();
      return { outcome: 'unparked', accountId: id, applied: outcome.applied, version };
    }
    await keepParked(trx, id, failure);
    await options.beforeCommit?.();
    const { code, message } = failure.error;
    const { eventId: failedEventId, version: failedVersion } = failure.event;
    return { outcome: 'parked', accountId: id, applied: outcome.applied, version, code, message, failedEventId, failedVersion, held: failure.held.length, attempts: parked.attempts + 1 };
  });
}

/** A redrive that failed again: the new error on the parked row, one more attempt, dead letters as the store is now. */
async function keepParked(trx: Kysely<LedgerDatabase>, id: string, failure: NonNullable<ReplayOutcome['failure']>): Promise<void> {
  const cause = causeFromError(failure.error);
  await replaceDeadLetters(trx, id, failure.event, cause, failure.held);
  await sql`
    update parked_accounts set code = ${cause.code}, message = ${cause.message}, details = ${jsonText(cause.details ?? {})}::jsonb,
      failed_event_id = ${failure.event.eventId}::uuid, failed_version = ${failure.event.version}, attempts = attempts + 1, updated_at = now()
    where account_id = ${id}::uuid`.execute(trx);
  await markStale(trx, [id], true);
}

function notParked(accountId: string): LedgerflowError {
  return new LedgerflowError('ACCOUNT_NOT_PARKED', `account ${accountId} is not parked: nothing to redrive`, { details: { accountId } });
}
