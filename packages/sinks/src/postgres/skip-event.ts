import { LedgerflowError, isUuid } from '@ledgerflow/cdc-core';
import { sql, type Kysely } from 'kysely';
import type { LedgerDatabase } from './database';

/** What `skipEvent` recorded. */
export interface SkipResult {
  readonly eventId: string;
  readonly accountId: string;
  readonly version: number;
  readonly type: string;
  /** False when the event had been skipped before (the first reason is kept). */
  readonly recorded: boolean;
}

/** Longest reason kept (the column checks it too). */
export const MAX_SKIP_REASON_LENGTH = 1000;

/**
 * Records an operator's decision to skip an event of a parked account (G5): from now on the
 * fold applies it with no effect but the version, so versions stay contiguous (G2), and the
 * next redrive continues past it. Only an event the read model has not applied yet can be
 * skipped, and only while its account is parked (the parked row is locked, so neither the
 * projector nor a redrive can apply it meanwhile). The account's first event cannot be skipped:
 * it opens the account; correct it instead. Throws SKIP_REFUSED or ACCOUNT_NOT_PARKED.
 */
export async function skipEvent(db: Kysely<LedgerDatabase>, eventId: string, reason: string): Promise<SkipResult> {
  const why = reason.trim();
  if (why.length === 0 || why.length > MAX_SKIP_REASON_LENGTH) throw refused(`a reason of 1…${MAX_SKIP_REASON_LENGTH} characters is required`, eventId);
  if (!isUuid(eventId)) throw refused(`${JSON.stringify(eventId)} is not an event id (a UUID)`, eventId);
  return db.transaction().execute(async (trx) => {
    const found = await sql<{ stream_id: string; version: number; type: string }>`
      select stream_id, version, type from events where event_id = ${eventId}::uuid`.execute(trx);
    const event = found.rows[0];
    if (!event) throw refused(`no event ${eventId} in the event store`, eventId);
    const accountId = event.stream_id;
    const parked = await sql`select 1 from parked_accounts where account_id = ${accountId}::uuid for update`.execute(trx);
    if (parked.rows.length === 0) {
      throw new LedgerflowError('ACCOUNT_NOT_PARKED', `account ${accountId} is not parked: only events of a parked account can be skipped`, { details: { accountId, eventId } });
    }
    const row = await sql<{ version: number }>`select version from account_projections where account_id = ${accountId}::uuid`.execute(trx);
    const projected = row.rows[0]?.version ?? 0;
    if (event.version <= projected) throw refused(`event ${eventId} (version ${event.version}) is already applied to account ${accountId}`, eventId);
    if (event.version === 1) throw refused(`event ${eventId} opens account ${accountId} and cannot be skipped; correct it instead`, eventId);
    const inserted = await sql`
      insert into skipped_events (event_id, account_id, version, reason) values (${eventId}::uuid, ${accountId}::uuid, ${event.version}, ${why})
      on conflict do nothing`.execute(trx);
    return { eventId: eventId.toLowerCase(), accountId, version: event.version, type: event.type, recorded: Number(inserted.numAffectedRows ?? 0n) === 1 };
  });
}

function refused(message: string, eventId: string): LedgerflowError {
  return new LedgerflowError('SKIP_REFUSED', message, { details: { eventId } });
}
