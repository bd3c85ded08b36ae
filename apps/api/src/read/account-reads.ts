import type { LedgerDatabase } from '@ledgerflow/sinks';
import { sql, type Kysely } from 'kysely';
import type { TransactionCursor } from '../http/cursor';

/** GET /accounts/:id body: the read model row, numerics exactly as stored. */
export interface AccountView {
  readonly accountId: string;
  readonly ownerName: string;
  readonly balance: string;
  readonly status: 'active' | 'closed';
  readonly version: number;
  readonly lastPosition: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * True while the account is parked (G5): an event could not be applied, so the row stopped
   * short of the account's events and must not be taken as its current state.
   */
  readonly stale: boolean;
}

/** One item of GET /accounts/:id/transactions. */
export interface TransactionView {
  readonly transactionId: string;
  readonly type: 'DEPOSIT' | 'WITHDRAWAL';
  readonly amount: string;
  readonly balanceAfter: string;
  readonly position: string;
  readonly occurredAt: string;
}

/** A page of transactions and where the next one starts (undefined: this was the last). */
export interface TransactionPage {
  readonly items: readonly TransactionView[];
  readonly next: TransactionCursor | undefined;
}

/** Reads one projected account, or undefined when it is unknown or not projected yet. */
export async function findAccount(db: Kysely<LedgerDatabase>, accountId: string): Promise<AccountView | undefined> {
  const result = await sql<{ account_id: string; owner_name: string; balance: string; status: 'active' | 'closed'; version: number; last_position: string; created_at: Date; updated_at: Date; stale: boolean }>`
    select account_id, owner_name, balance::text as balance, status, version, last_position::text as last_position, created_at, updated_at, stale
    from account_projections where account_id = ${accountId}::uuid`.execute(db);
  const r = result.rows[0];
  if (!r) return undefined;
  return {
    accountId: r.account_id,
    ownerName: r.owner_name,
    balance: r.balance,
    status: r.status,
    version: r.version,
    lastPosition: r.last_position,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    stale: r.stale,
  };
}

/**
 * Reads one page of an account's transactions, newest first by (occurred_at, position), with
 * keyset pagination: the page after `after` starts strictly below it in that order, so rows
 * added meanwhile never shift a page. One extra row is read to know whether a next page exists.
 */
export async function listTransactions(db: Kysely<LedgerDatabase>, accountId: string, limit: number, after?: TransactionCursor): Promise<TransactionPage> {
  const keyset = after === undefined ? sql`true` : sql`(occurred_at, position) < (${after.occurredAt}::timestamptz, ${after.position}::bigint)`;
  const result = await sql<{ transaction_id: string; type: 'DEPOSIT' | 'WITHDRAWAL'; amount: string; balance_after: string; position: string; occurred_at: Date; occurred_key: string }>`
    select transaction_id, type, amount::text as amount, balance_after::text as balance_after, position::text as position, occurred_at,
      to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as occurred_key
    from transaction_projections
    where account_id = ${accountId}::uuid and ${keyset}
    order by occurred_at desc, position desc
    limit ${limit + 1}`.execute(db);
  const rows = result.rows.slice(0, limit);
  const last = rows[rows.length - 1];
  return {
    items: rows.map((r) => ({
      transactionId: r.transaction_id,
      type: r.type,
      amount: r.amount,
      balanceAfter: r.balance_after,
      position: r.position,
      occurredAt: r.occurred_at.toISOString(),
    })),
    next: result.rows.length > limit && last ? { occurredAt: last.occurred_key, position: last.position } : undefined,
  };
}
