import { LedgerflowError, formatMoney, parseNumeric, type AccountRow, type TransactionRow } from '@ledgerflow/cdc-core';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { LedgerDatabase } from './database';

/** The projection name under which the account and transaction read models checkpoint. */
export const ACCOUNTS_PROJECTION = 'accounts';

/** Loads the current rows of the given accounts (absent accounts are simply missing). */
export async function loadAccounts(db: Kysely<LedgerDatabase>, accountIds: readonly string[]): Promise<Map<string, AccountRow>> {
  const rows = new Map<string, AccountRow>();
  if (accountIds.length === 0) return rows;
  const result = await sql<{ account_id: string; owner_name: string; balance: string; status: 'active' | 'closed'; version: number; last_position: string; created_at: Date; updated_at: Date }>`
    select account_id, owner_name, balance::text as balance, status, version, last_position, created_at, updated_at
    from account_projections where account_id = any(${accountIds}::uuid[])`.execute(db);
  for (const r of result.rows) {
    rows.set(r.account_id, {
      accountId: r.account_id,
      ownerName: r.owner_name,
      balance: parseNumeric(r.balance, 'balance'),
      status: r.status,
      version: r.version,
      lastPosition: BigInt(r.last_position),
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    });
  }
  return rows;
}

/** What one projector transaction writes. */
export interface ProjectionWrite {
  readonly accounts: readonly AccountRow[];
  readonly transactions: readonly TransactionRow[];
  readonly checkpoint: { readonly partition: number; readonly position: bigint; readonly eventsApplied: number };
}

/** Options of `writeProjection`. */
export interface WriteProjectionOptions {
  /**
   * Sets the transaction's `statement_timeout` (as SET LOCAL) for the statements after this
   * write, in the same round trip: a caller whose next statement is COMMIT gives the COMMIT its
   * own time limit without a statement of its own.
   */
  readonly nextStatementTimeoutMs?: number;
}

/**
 * Writes a folded batch in ONE statement (one round trip): a version-guarded upsert of the
 * account rows, the transaction rows and the partition checkpoint, as data-modifying CTEs over
 * unnest arrays, so the statement text and plan never change with the batch size. Call it
 * inside the transaction that read the rows. If another writer moved an account past us the
 * guard refuses the row and this throws a retryable STALE_WRITE, which rolls the whole batch
 * back (the transaction and checkpoint rows of the same statement with it).
 */
export async function writeProjection(db: Kysely<LedgerDatabase>, write: ProjectionWrite, options: WriteProjectionOptions = {}): Promise<void> {
  // Sorted ids: two transactions never lock the same rows in opposite orders.
  const accounts = [...write.accounts].sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
  const txs = write.transactions;
  const { partition, position, eventsApplied } = write.checkpoint;
  const result = await sql<{ written: number }>`
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
    select (select count(*) from written)::int as written${nextTimeout(options.nextStatementTimeoutMs)}`.execute(db);
  const written = result.rows[0]?.written ?? 0;
  if (written !== accounts.length) {
    throw new LedgerflowError('STALE_WRITE', `version guard refused ${accounts.length - written} of ${accounts.length} account rows: another writer got there first`, {
      retryable: true,
    });
  }
}

/** The select-list tail that sets statement_timeout for the rest of the transaction, if asked. */
function nextTimeout(ms: number | undefined): RawBuilder<unknown> {
  if (ms === undefined) return sql``;
  if (!Number.isInteger(ms) || ms < 0) throw new LedgerflowError('CONFIG_INVALID', `statement timeout must be a whole number of ms, got ${ms}`);
  return sql`, set_config('statement_timeout', ${String(ms)}, true) as next_statement_timeout`;
}
