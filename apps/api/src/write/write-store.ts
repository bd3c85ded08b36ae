import { formatMoney, parseNumeric } from '@ledgerflow/cdc-core';
import type { LedgerDatabase } from '@ledgerflow/sinks';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { AccountState } from '../domain/account-state';
import type { StreamChange } from '../domain/decide';
import type { EventRow } from './event-rows';

type Db = Kysely<LedgerDatabase> | Transaction<LedgerDatabase>;

/** An event as appended: its id and the global position PostgreSQL gave it. */
export interface AppendedEvent {
  readonly eventId: string;
  readonly streamId: string;
  readonly version: number;
  readonly position: bigint;
}

/**
 * Reads the write-side snapshots of the given accounts (absent accounts are missing) and locks
 * them, in stream-id order, until the transaction ends. Commands on one account queue behind
 * each other instead of racing to a 409 and being retried: a hot account costs waiting, not
 * wasted transactions. The version guards stay the safety net; the lock is for throughput.
 */
export async function readWriteStates(db: Db, streamIds: readonly string[]): Promise<Map<string, AccountState>> {
  const result = await sql<{ stream_id: string; version: number; balance: string; status: 'active' | 'closed' }>`
    select stream_id, version, balance::text as balance, status
    from account_write_state where stream_id = any(${[...streamIds]}::uuid[])
    order by stream_id for update`.execute(db);
  return new Map(result.rows.map((r) => [r.stream_id, { version: r.version, balance: parseNumeric(r.balance, 'balance'), status: r.status }]));
}

/**
 * Inserts the rows in one statement, in array order (`with ordinality`), so global positions
 * follow that order. A concurrent writer of the same (stream_id, version) makes this wait for
 * it and then fail with a unique violation: that is the optimistic-concurrency check.
 */
export async function appendEvents(db: Db, rows: readonly EventRow[]): Promise<AppendedEvent[]> {
  const result = await sql<{ event_id: string; stream_id: string; version: number; global_position: string }>`
    insert into events (event_id, stream_id, version, type, data, metadata)
    select r.event_id, r.stream_id, r.version, r.type, r.data::jsonb, r.metadata::jsonb
    from unnest(
      ${rows.map((r) => r.eventId)}::uuid[], ${rows.map((r) => r.streamId)}::uuid[], ${rows.map((r) => r.version)}::int[],
      ${rows.map((r) => r.type)}::text[], ${rows.map((r) => r.data)}::text[], ${rows.map((r) => r.metadata)}::text[])
      with ordinality as r(event_id, stream_id, version, type, data, metadata, ord)
    order by r.ord
    returning event_id, stream_id, version, global_position`.execute(db);
  const byId = new Map(result.rows.map((r) => [r.event_id, r]));
  return rows.map((row) => {
    const inserted = byId.get(row.eventId)!;
    return { eventId: row.eventId, streamId: row.streamId, version: row.version, position: BigInt(inserted.global_position) };
  });
}

/**
 * Upserts one account's snapshot, guarded by the version the decision was taken on.
 * Returns false when the guard refused the write (another command got there first).
 */
export async function saveWriteState(db: Db, change: StreamChange): Promise<boolean> {
  const { streamId, expectedVersion, next } = change;
  const result = await sql`
    insert into account_write_state (stream_id, version, balance, status)
    values (${streamId}::uuid, ${next.version}, ${formatMoney(next.balance)}::numeric, ${next.status})
    on conflict (stream_id) do update set version = excluded.version, balance = excluded.balance, status = excluded.status
    where account_write_state.version = ${expectedVersion}`.execute(db);
  return Number(result.numAffectedRows ?? 0n) === 1;
}
