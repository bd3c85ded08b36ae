import type { AccountRow } from '@ledgerflow/cdc-core';
import { sql, type Kysely } from 'kysely';
import type { LedgerDatabase } from './database';
import { ACCOUNT_COLUMNS, accountFromRecord, type AccountRecord } from './read-model-store';

/** The rows a batch starts from, and which of its accounts are parked (see loadBatchStart). */
export interface BatchStart {
  readonly accounts: Map<string, AccountRow>;
  /** Accounts of the batch with a parked_accounts row (G5), whether or not they have a projection row. */
  readonly parked: ReadonlySet<string>;
}

type Nullable<T> = { readonly [K in keyof T]: T[K] | null };

/**
 * Loads the current rows of the given accounts AND whether each one is parked, in one
 * statement, so both come from one snapshot; takes no locks. A projector batch none of whose
 * accounts is parked needs nothing more: only its own partition parks them, and a redrive only
 * touches parked accounts. A batch that meets a parked account must read again under the
 * parked rows' locks (lockParkedAccounts) before it holds events behind them.
 */
export async function loadBatchStart(db: Kysely<LedgerDatabase>, accountIds: readonly string[]): Promise<BatchStart> {
  const accounts = new Map<string, AccountRow>();
  const parked = new Set<string>();
  if (accountIds.length === 0) return { accounts, parked };
  const result = await sql<Nullable<AccountRecord> & { readonly id: string; readonly parked: boolean }>`
    select ids.id, ${ACCOUNT_COLUMNS}, (p.account_id is not null) as parked
    from unnest(${accountIds}::uuid[]) as ids(id)
    left join account_projections a on a.account_id = ids.id
    left join parked_accounts p on p.account_id = ids.id
    where a.account_id is not null or p.account_id is not null`.execute(db);
  for (const r of result.rows) {
    if (r.parked) parked.add(r.id);
    if (r.account_id !== null) accounts.set(r.id, accountFromRecord(r as AccountRecord));
  }
  return { accounts, parked };
}
