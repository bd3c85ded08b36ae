import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '@ledgerflow/cdc-core';
import { readEventsAfter, type LedgerDatabase } from '@ledgerflow/sinks';
import { sql, type Kysely } from 'kysely';

/** One event to append: its type and `data` (plain JSON, as the write side stores it). */
export interface EventSpec {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

export const created = (accountId: string, initialBalance = '100.00'): EventSpec => ({
  type: 'AccountCreated',
  data: { accountId, ownerName: `owner ${accountId.slice(0, 8)}`, initialBalance },
});
export const deposited = (accountId: string, amount: string): EventSpec => ({ type: 'MoneyDeposited', data: { accountId, amount, transactionId: randomUUID() } });
export const withdrawn = (accountId: string, amount: string): EventSpec => ({ type: 'MoneyWithdrawn', data: { accountId, amount, transactionId: randomUUID() } });
export const closed = (accountId: string, reason = 'customer request'): EventSpec => ({ type: 'AccountClosed', data: { accountId, reason } });

/**
 * Appends events to one stream with plain SQL, numbering them after the stream's last version
 * (or from `firstVersion`, to build a broken stream on purpose).
 */
export async function appendEvents(db: Kysely<LedgerDatabase>, accountId: string, specs: readonly EventSpec[], firstVersion?: number): Promise<void> {
  const last = await sql<{ v: number }>`select coalesce(max(version), 0)::int as v from events where stream_id = ${accountId}::uuid`.execute(db);
  const start = firstVersion ?? last.rows[0]!.v + 1;
  for (const [i, spec] of specs.entries()) {
    await sql`insert into events (event_id, stream_id, version, type, data)
      values (${randomUUID()}::uuid, ${accountId}::uuid, ${start + i}, ${spec.type}, ${JSON.stringify(spec.data)}::jsonb)`.execute(db);
  }
}

/** Every stored event, in position order, as the pipeline sees it. */
export async function allEvents(db: Kysely<LedgerDatabase>): Promise<StoredEvent[]> {
  return readEventsAfter(db, 0n, 1_000_000);
}

/** One stream's stored events, by version. */
export async function streamEvents(db: Kysely<LedgerDatabase>, accountId: string): Promise<StoredEvent[]> {
  return (await allEvents(db)).filter((e) => e.streamId === accountId).sort((a, b) => a.version - b.version);
}

/** Everything the projector writes for some accounts and a partition, for before/after comparisons. */
export async function readModelState(db: Kysely<LedgerDatabase>, accountIds: readonly string[], partition: number) {
  const accounts = await sql`select account_id, owner_name, balance::text, status, version, last_position, created_at, updated_at
    from account_projections where account_id = any(${accountIds}::uuid[]) order by account_id`.execute(db);
  const transactions = await sql`select transaction_id, account_id, type, amount::text, balance_after::text, position, occurred_at
    from transaction_projections where account_id = any(${accountIds}::uuid[]) order by position`.execute(db);
  const checkpoint = await sql<{ position: string; events_applied: string; updated_at: Date }>`select position, events_applied, updated_at
    from projection_checkpoints where projection = 'accounts' and partition = ${partition}`.execute(db);
  return { accounts: accounts.rows, transactions: transactions.rows, checkpoint: checkpoint.rows[0] };
}

/** One account's projection row (balance as text), or undefined. */
export async function accountRow(db: Kysely<LedgerDatabase>, accountId: string) {
  const r = await sql<{ balance: string; status: string; version: number; last_position: string }>`
    select balance::text as balance, status, version, last_position from account_projections where account_id = ${accountId}::uuid`.execute(db);
  return r.rows[0];
}

/** One account's transaction rows in position order. */
export async function transactionRows(db: Kysely<LedgerDatabase>, accountId: string) {
  const r = await sql<{ transaction_id: string; type: string; amount: string; balance_after: string; position: string }>`
    select transaction_id, type, amount::text as amount, balance_after::text as balance_after, position
    from transaction_projections where account_id = ${accountId}::uuid order by position`.execute(db);
  return r.rows;
}
