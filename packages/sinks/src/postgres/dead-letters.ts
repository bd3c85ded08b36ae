import type { LedgerflowError, StoredEvent } from '@ledgerflow/cdc-core';
import { sql, type Kysely } from 'kysely';
import type { LedgerDatabase } from './database';

/** Why an event sits in the dead-letter store: a stable error code and its explanation. */
export interface DeadLetterCause {
  readonly code: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A parked account as the projector needs to see it while folding a batch. */
export interface ParkedAccountState {
  readonly accountId: string;
  readonly code: string;
  readonly failedEventId: string;
  readonly failedVersion: number;
}

/** An account to park: the event that failed, why, and the account's later events held behind it. */
export interface ParkRequest {
  readonly accountId: string;
  readonly partition: number;
  readonly failed: StoredEvent;
  readonly cause: DeadLetterCause;
  /** Later events of the account, in version order. */
  readonly held: readonly StoredEvent[];
}

/** Events of an already parked account to append behind it, never to apply. */
export interface HoldRequest {
  readonly parked: ParkedAccountState;
  readonly events: readonly StoredEvent[];
}

interface DeadLetterRow {
  readonly event: StoredEvent;
  readonly reason: 'failed' | 'held';
  readonly cause: DeadLetterCause;
}

/**
 * Returns the parked accounts among `accountIds`, taking a FOR SHARE lock on their rows until
 * the transaction ends. Call it first in a batch transaction, before reading the account rows:
 * a redrive holds the row FOR UPDATE, so a batch either waits for the redrive to commit (and
 * then sees the account unparked and its row moved on) or commits its held events before the
 * redrive starts reading the event store. Either way no event is lost between the two.
 */
export async function lockParkedAccounts(db: Kysely<LedgerDatabase>, accountIds: readonly string[]): Promise<Map<string, ParkedAccountState>> {
  const parked = new Map<string, ParkedAccountState>();
  if (accountIds.length === 0) return parked;
  const result = await sql<{ account_id: string; code: string; failed_event_id: string; failed_version: number }>`
    select account_id, code, failed_event_id, failed_version from parked_accounts
    where account_id = any(${[...accountIds].sort()}::uuid[]) order by account_id for share`.execute(db);
  for (const r of result.rows) {
    parked.set(r.account_id, { accountId: r.account_id, code: r.code, failedEventId: r.failed_event_id, failedVersion: r.failed_version });
  }
  return parked;
}

/**
 * Parks accounts (G5), in the caller's transaction: one parked_accounts row each, the failed
 * event and the held ones in dead_letter_events, and the account's projection row (if it has
 * one yet) marked stale. Call it after the batch's projection write, so a row that batch
 * created is marked too. Idempotent: what is already recorded stays as it is.
 */
export async function parkAccounts(db: Kysely<LedgerDatabase>, requests: readonly ParkRequest[]): Promise<void> {
  if (requests.length === 0) return;
  const sorted = [...requests].sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
  await sql`
    insert into parked_accounts (account_id, partition, code, message, details, failed_event_id, failed_version)
    select * from unnest(
      ${sorted.map((r) => r.accountId)}::uuid[], ${sorted.map((r) => r.partition)}::int[], ${sorted.map((r) => r.cause.code)}::text[],
      ${sorted.map((r) => r.cause.message)}::text[], ${sorted.map((r) => jsonText(r.cause.details ?? {}))}::jsonb[],
      ${sorted.map((r) => r.failed.eventId)}::uuid[], ${sorted.map((r) => r.failed.version)}::int[])
    on conflict (account_id) do nothing`.execute(db);
  const rows = sorted.flatMap((r): DeadLetterRow[] => [
    { event: r.failed, reason: 'failed', cause: r.cause },
    ...r.held.map((event) => ({ event, reason: 'held' as const, cause: heldCause(r.cause.code, r.failed) })),
  ]);
  await insertDeadLetters(db, rows);
  await markStale(db, sorted.map((r) => r.accountId), true);
}

/** Appends events of parked accounts as held, in the caller's transaction. Idempotent. */
export async function holdEvents(db: Kysely<LedgerDatabase>, holds: readonly HoldRequest[]): Promise<void> {
  const rows = holds.flatMap((h) =>
    h.events.map((event): DeadLetterRow => ({ event, reason: 'held', cause: heldCause(h.parked.code, { eventId: h.parked.failedEventId, version: h.parked.failedVersion }) })),
  );
  await insertDeadLetters(db, rows);
}

/**
 * Replaces an account's dead letters with a new failure and what is held behind it (a redrive
 * that failed again: the copies then show the event store as it is now).
 */
export async function replaceDeadLetters(db: Kysely<LedgerDatabase>, accountId: string, failed: StoredEvent, cause: DeadLetterCause, held: readonly StoredEvent[]): Promise<void> {
  await sql`delete from dead_letter_events where account_id = ${accountId}::uuid`.execute(db);
  await insertDeadLetters(db, [{ event: failed, reason: 'failed', cause }, ...held.map((event) => ({ event, reason: 'held' as const, cause: heldCause(cause.code, failed) }))]);
}

/** Sets `stale` on the accounts' projection rows (accounts without a row are left alone). */
export async function markStale(db: Kysely<LedgerDatabase>, accountIds: readonly string[], stale: boolean): Promise<void> {
  if (accountIds.length === 0) return;
  await sql`update account_projections set stale = ${stale} where account_id = any(${[...accountIds].sort()}::uuid[]) and stale <> ${stale}`.execute(db);
}

function heldCause(code: string, failed: { readonly eventId: string; readonly version: number }): DeadLetterCause {
  return {
    code,
    message: `held behind event ${failed.eventId} (version ${failed.version}), which cannot be applied`,
    details: { failedEventId: failed.eventId, failedVersion: failed.version },
  };
}

async function insertDeadLetters(db: Kysely<LedgerDatabase>, rows: readonly DeadLetterRow[]): Promise<void> {
  if (rows.length === 0) return;
  const e = rows.map((r) => r.event);
  // No conflict target: a redelivered event (same id) or a re-inserted one (same version) is already recorded.
  await sql`
    insert into dead_letter_events (event_id, account_id, version, position, type, reason, code, message, details, data, metadata, created_at)
    select * from unnest(
      ${e.map((x) => x.eventId)}::uuid[], ${e.map((x) => x.streamId.toLowerCase())}::uuid[], ${e.map((x) => x.version)}::int[],
      ${e.map((x) => x.position.toString())}::bigint[], ${e.map((x) => x.type)}::text[], ${rows.map((r) => r.reason)}::text[],
      ${rows.map((r) => r.cause.code)}::text[], ${rows.map((r) => r.cause.message)}::text[], ${rows.map((r) => jsonText(r.cause.details ?? {}))}::jsonb[],
      ${e.map((x) => asJson(x.data))}::jsonb[], ${e.map((x) => asJson(x.metadata))}::jsonb[], ${e.map((x) => x.createdAt)}::timestamptz[])
    order by 2, 3
    on conflict do nothing`.execute(db);
}

/**
 * The dead-letter cause of an error: its code, message and details, plus the message of its
 * cause if it has one (e.g. the MONEY_INVALID behind an EVENT_DATA_INVALID).
 */
export function causeFromError(error: LedgerflowError): DeadLetterCause {
  const cause = error.cause instanceof Error ? { cause: error.cause.message } : {};
  return { code: error.code, message: error.message, details: { ...error.details, ...cause } };
}

/** JSON text of a value; bigints become strings. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Keeps a payload that is JSON as it is, and wraps one that is not as a JSON string (never lose the copy). */
function asJson(text: string): string {
  try {
    JSON.parse(text);
    return text;
  } catch {
    return JSON.stringify(text);
  }
}
