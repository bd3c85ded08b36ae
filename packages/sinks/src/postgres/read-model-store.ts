import { LedgerflowError, formatMoney, parseNumeric, type AccountRow, type TransactionRow } from '@ledgerflow/cdc-core';
import { sql, type Kysely } from 'kysely';
import type { LedgerDatabase } from './database';

/** The projection name under which the account and transaction read models checkpoint. */
export const ACCOUNTS_PROJECTION = 'accounts';

/** SQLSTATE of ledgerflow_refuse_stale_write (migration 0004). */
export const STALE_WRITE_SQLSTATE = 'LF409';

/** An account_projections row as the queries below select it (balance as text: exact). */
export interface AccountRecord {
  readonly account_id: string;
  readonly owner_name: string;
  readonly balance: string;
  readonly status: 'active' | 'closed';
  readonly version: number;
  readonly last_position: string;
  readonly created_at: Date;
  readonly updated_at: Date;
}

/** The select list matching AccountRecord, for table alias `a`. */
export const ACCOUNT_COLUMNS = sql`a.account_id, a.owner_name, a.balance::text as balance, a.status, a.version, a.last_position, a.created_at, a.updated_at`;

/** Maps a selected row to the read model's AccountRow. */
export function accountFromRecord(r: AccountRecord): AccountRow {
  return {
    accountId: r.account_id,
    ownerName: r.owner_name,
    balance: parseNumeric(r.balance, 'balance'),
    status: r.status,
    version: r.version,
    lastPosition: BigInt(r.last_position),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** Loads the current rows of the given accounts (absent accounts are simply missing). */
export async function loadAccounts(db: Kysely<LedgerDatabase>, accountIds: readonly string[]): Promise<Map<string, AccountRow>> {
  const rows = new Map<string, AccountRow>();
  if (accountIds.length === 0) return rows;
  const result = await sql<AccountRecord>`select ${ACCOUNT_COLUMNS} from account_projections a where a.account_id = any(${accountIds}::uuid[])`.execute(db);
  for (const r of result.rows) rows.set(r.account_id, accountFromRecord(r));
  return rows;
}

/** What one projector transaction writes. */
export interface ProjectionWrite {
  readonly accounts: readonly AccountRow[];
  readonly transactions: readonly TransactionRow[];
  readonly checkpoint: { readonly partition: number; readonly position: bigint; readonly eventsApplied: number };
}

/**
 * Writes a folded batch in ONE statement (one round trip): a version-guarded upsert of the
 * account rows, the transaction rows and the partition checkpoint, as data-modifying CTEs over
 * unnest arrays, so the statement text and plan never change with the batch size. If another
 * writer moved an account past us the guard refuses the row and the statement raises (SQLSTATE
 * LF409): nothing of it lands, with or without a transaction around it, and this throws a
 * retryable STALE_WRITE.
 */
export async function writeProjection(db: Kysely<LedgerDatabase>, write: ProjectionWrite): Promise<void> {
  // Sorted ids: two transactions never lock the same rows in opposite orders.
  const accounts = [...write.accounts].sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
  const txs = write.transactions;
  const { partition, position, eventsApplied } = write.checkpoint;
  await sql`
    with written as (
      insert into account_projections (account_id, owner_name, balance, status, version, last_position, created_at, updated_at)
      select * from unnest(
        ${accounts.map((a) => a.accountId)}::uuid[], ${accounts.map((a) => a.ownerName)}::text[],
        ${accounts.map((a) => formatMoney(a.balance))}::numeric[], ${accounts.map((a) => a.status)}::text[],
        ${accounts.map((a) => a.version)}::int[], ${accounts.map((a) => a.lastPosition.toString())}::bigint[],
        ${accounts.map((a) => a.createdAt)}::timestamptz[], ${accounts.map((a) => a.updatedAt)}::timestamptz[])
      on conflict (account_id) do update set
        owner_name = excluded.owner_name, balance = excluded.balance, status = excluded.status,
        version = excluded.version, last_position = excluded.last_position, updated_at = excluded.updated_at
      where account_projections.version < excluded.version
      returning 1
    ), transactions as (
      insert into transaction_projections (transaction_id, account_id, type, amount, balance_after, position, occurred_at)
      select * from unnest(
        ${txs.map((t) => t.transactionId)}::uuid[], ${txs.map((t) => t.accountId)}::uuid[], ${txs.map((t) => t.type)}::text[],
        ${txs.map((t) => formatMoney(t.amount))}::numeric[], ${txs.map((t) => formatMoney(t.balanceAfter))}::numeric[],
        ${txs.map((t) => t.position.toString())}::bigint[], ${txs.map((t) => t.occurredAt)}::timestamptz[])
    ), checkpoint as (
      insert into projection_checkpoints (projection, partition, position, events_applied, updated_at)
      values (${ACCOUNTS_PROJECTION}, ${partition}, ${position.toString()}::bigint, ${eventsApplied}, now())
      on conflict (projection, partition) do update set
        position = greatest(projection_checkpoints.position, excluded.position),
        events_applied = projection_checkpoints.events_applied + excluded.events_applied,
        updated_at = now()
    )
    select ledgerflow_refuse_stale_write(${accounts.length}, (select count(*) from written)::int)`
    .execute(db)
    .catch((err: unknown) => {
      throw isStaleWrite(err) ? new LedgerflowError('STALE_WRITE', (err as Error).message, { retryable: true, cause: err }) : err;
    });
}

/** The version guard's refusal, raised by the write statement itself (migration 0004). */
function isStaleWrite(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === STALE_WRITE_SQLSTATE;
}
