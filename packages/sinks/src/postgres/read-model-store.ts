import { LedgerflowError, formatMoney, parseNumeric, type AccountRow, type TransactionRow } from '@ledgerflow/cdc-core';
import { sql, type Kysely } from 'kysely';
import { arrayLiteral, columnLiteral } from './array-literal';
import type { LedgerDatabase } from './database';

/** The projection name under which the account and transaction read models checkpoint. */
export const ACCOUNTS_PROJECTION = 'accounts';

/** SQLSTATE of ledgerflow_refuse_stale_write (migration 0004). */
export const STALE_WRITE_SQLSTATE = 'LF409';

/** SQLSTATE of ledgerflow_require_partition_locks (migration 0005). */
export const LOCK_LOST_SQLSTATE = 'LF423';

/** An account_projections row as the queries below select it (balance as text: exact). */
export interface AccountRecord {
  readonly account_id: string;
  readonly owner_name: string;
  readonly balance: string;
  readonly status: 'active' | 'closed';
  readonly version: number;
  readonly last_position: string;
  /** ISO 8601 in UTC with milliseconds, as `Date.toISOString` writes it (see ISO_UTC). */
  readonly created_at: string;
  readonly updated_at: string;
}

/**
 * A timestamptz as `Date.toISOString` spells it (`2026-11-28T15:00:00.123Z`; like it, extra
 * digits are cut, not rounded), made by the server: pg would parse every timestamp into a Date
 * (a regex and an object) for us to format it straight back — at catch-up rates, two of each
 * per account row and a share of the projector's garbage (decision 018).
 */
const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** The select list matching AccountRecord, for table alias `a`. */
export const ACCOUNT_COLUMNS = sql`a.account_id, a.owner_name, a.balance::text as balance, a.status, a.version, a.last_position,
  to_char(a.created_at at time zone 'UTC', ${sql.raw(ISO_UTC)}) as created_at, to_char(a.updated_at at time zone 'UTC', ${sql.raw(ISO_UTC)}) as updated_at`;

/** Maps a selected row to the read model's AccountRow. */
export function accountFromRecord(r: AccountRecord): AccountRow {
  return {
    accountId: r.account_id,
    ownerName: r.owner_name,
    balance: parseNumeric(r.balance, 'balance'),
    status: r.status,
    version: r.version,
    lastPosition: BigInt(r.last_position),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Loads the current rows of the given accounts (absent accounts are simply missing). */
export async function loadAccounts(db: Kysely<LedgerDatabase>, accountIds: readonly string[]): Promise<Map<string, AccountRow>> {
  const rows = new Map<string, AccountRow>();
  if (accountIds.length === 0) return rows;
  const result = await sql<AccountRecord>`select ${ACCOUNT_COLUMNS} from account_projections a where a.account_id = any(${arrayLiteral(accountIds)}::uuid[])`.execute(db);
  for (const r of result.rows) rows.set(r.account_id, accountFromRecord(r));
  return rows;
}

/** Where a partition's projection got to: its checkpoint row moves there. */
export interface PartitionCheckpoint {
  readonly partition: number;
  readonly position: bigint;
  readonly eventsApplied: number;
}

/** What one projector transaction writes. */
export interface ProjectionWrite {
  readonly accounts: readonly AccountRow[];
  readonly transactions: readonly TransactionRow[];
  readonly checkpoint: PartitionCheckpoint;
}

/** Partition locks a write must find held, each by the connection that took it (see writeProjections). */
export interface PartitionFence {
  /** The advisory lock namespace (PROJECTOR_LOCK_NAMESPACE). */
  readonly namespace: number;
  /** Each partition written and the backend pid of the connection holding its lock. */
  readonly holders: readonly { readonly partition: number; readonly pid: number }[];
}

/** What one write of several partitions' batches (a projector round) writes. */
export interface ProjectionWrites {
  readonly accounts: readonly AccountRow[];
  readonly transactions: readonly TransactionRow[];
  /** One per partition; a partition given twice moves to the highest position, counting both. */
  readonly checkpoints: readonly PartitionCheckpoint[];
  /** Checked inside the statement when given: the write runs on none of those lock connections. */
  readonly fence?: PartitionFence;
}

/**
 * Writes a folded batch in ONE statement (one round trip): see writeProjections, which this is
 * for one partition written through its own lock connection.
 */
export async function writeProjection(db: Kysely<LedgerDatabase>, write: ProjectionWrite): Promise<void> {
  await writeProjections(db, { accounts: write.accounts, transactions: write.transactions, checkpoints: [write.checkpoint] });
}

/**
 * Writes folded batches of one or more partitions in ONE statement (one round trip): a
 * version-guarded upsert of the account rows, the transaction rows and the partitions'
 * checkpoints, as data-modifying CTEs over unnest arrays, so the statement text and plan never
 * change with the batch size. If another writer moved an account past us the guard refuses the
 * row and the statement raises (SQLSTATE LF409): nothing of it lands, with or without a
 * transaction around it, and this throws a retryable STALE_WRITE. With a fence, a partition
 * lock no longer held by its lock connection raises too (SQLSTATE LF423, retryable
 * PARTITION_LOCK_LOST): a fenced-off member cannot commit through another connection either.
 */
export async function writeProjections(db: Kysely<LedgerDatabase>, write: ProjectionWrites): Promise<void> {
  // Sorted ids: two transactions never lock the same rows in opposite orders.
  const accounts = [...write.accounts].sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
  const txs = write.transactions;
  const checkpoints = mergeCheckpoints(write.checkpoints);
  const fence = write.fence
    ? sql`, ledgerflow_require_partition_locks(${write.fence.namespace}::int, ${columnLiteral(write.fence.holders, (h) => h.partition)}::int[], ${columnLiteral(write.fence.holders, (h) => h.pid)}::int[])`
    : sql``;
  await sql`
    with written as (
      insert into account_projections (account_id, owner_name, balance, status, version, last_position, created_at, updated_at)
      select * from unnest(
        ${columnLiteral(accounts, (a) => a.accountId)}::uuid[], ${columnLiteral(accounts, (a) => a.ownerName)}::text[],
        ${columnLiteral(accounts, (a) => formatMoney(a.balance))}::numeric[], ${columnLiteral(accounts, (a) => a.status)}::text[],
        ${columnLiteral(accounts, (a) => a.version)}::int[], ${columnLiteral(accounts, (a) => a.lastPosition)}::bigint[],
        ${columnLiteral(accounts, (a) => a.createdAt)}::timestamptz[], ${columnLiteral(accounts, (a) => a.updatedAt)}::timestamptz[])
      on conflict (account_id) do update set
        owner_name = excluded.owner_name, balance = excluded.balance, status = excluded.status,
        version = excluded.version, last_position = excluded.last_position, updated_at = excluded.updated_at
      where account_projections.version < excluded.version
      returning 1
    ), transactions as (
      insert into transaction_projections (transaction_id, account_id, type, amount, balance_after, position, occurred_at)
      select * from unnest(
        ${columnLiteral(txs, (t) => t.transactionId)}::uuid[], ${columnLiteral(txs, (t) => t.accountId)}::uuid[], ${columnLiteral(txs, (t) => t.type)}::text[],
        ${columnLiteral(txs, (t) => formatMoney(t.amount))}::numeric[], ${columnLiteral(txs, (t) => formatMoney(t.balanceAfter))}::numeric[],
        ${columnLiteral(txs, (t) => t.position)}::bigint[], ${columnLiteral(txs, (t) => t.occurredAt)}::timestamptz[])
    ), checkpoint as (
      insert into projection_checkpoints (projection, partition, position, events_applied, updated_at)
      select ${ACCOUNTS_PROJECTION}, c.partition, c.position, c.events_applied, now()
      from unnest(${columnLiteral(checkpoints, (c) => c.partition)}::int[], ${columnLiteral(checkpoints, (c) => c.position)}::bigint[], ${columnLiteral(checkpoints, (c) => c.eventsApplied)}::int[]) as c(partition, position, events_applied)
      on conflict (projection, partition) do update set
        position = greatest(projection_checkpoints.position, excluded.position),
        events_applied = projection_checkpoints.events_applied + excluded.events_applied,
        updated_at = now()
    )
    select ledgerflow_refuse_stale_write(${accounts.length}, (select count(*) from written)::int)${fence}`
    .execute(db)
    .catch((err: unknown) => {
      if (hasSqlState(err, STALE_WRITE_SQLSTATE)) throw new LedgerflowError('STALE_WRITE', (err as Error).message, { retryable: true, cause: err });
      if (hasSqlState(err, LOCK_LOST_SQLSTATE)) throw new LedgerflowError('PARTITION_LOCK_LOST', (err as Error).message, { retryable: true, cause: err });
      throw err;
    });
}

/** One checkpoint per partition (an upsert may not touch a row twice in one statement). */
function mergeCheckpoints(checkpoints: readonly PartitionCheckpoint[]): PartitionCheckpoint[] {
  const merged = new Map<number, PartitionCheckpoint>();
  for (const c of checkpoints) {
    const seen = merged.get(c.partition);
    merged.set(c.partition, seen ? { partition: c.partition, position: seen.position > c.position ? seen.position : c.position, eventsApplied: seen.eventsApplied + c.eventsApplied } : c);
  }
  return [...merged.values()];
}

/** An error of the server with this SQLSTATE (the write's own refusals: migrations 0004, 0005). */
function hasSqlState(err: unknown, sqlState: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === sqlState;
}
