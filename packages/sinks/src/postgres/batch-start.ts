import type { AccountRow } from '@ledgerflow/cdc-core';
import { sql, type Kysely } from 'kysely';
import { arrayLiteral } from './array-literal';
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
 * statement, so both come from one snapshot; takes no locks. Two key lookups glued by UNION
 * ALL rather than a join, so that a prepared (generic) plan has no join method to get wrong;
 * with KEY_LOOKUP_PLANS_OPTION each is an index lookup whatever the tables' size (decision 010). A projector batch none of whose
 * accounts is parked needs nothing more: only its own partition parks them, and a redrive only
 * touches parked accounts. A batch that meets a parked account must read again under the
 * parked rows' locks (lockParkedAccounts) before it holds events behind them.
 */
export async function loadBatchStart(db: Kysely<LedgerDatabase>, accountIds: readonly string[]): Promise<BatchStart> {
  const accounts = new Map<string, AccountRow>();
  const parked = new Set<string>();
  if (accountIds.length === 0) return { accounts, parked };
  // One literal for both lookups: the same ids, encoded once.
  const ids = arrayLiteral(accountIds);
  const result = await sql<Nullable<AccountRecord> & { readonly parked: boolean; readonly parked_id: string | null }>`
    select ${ACCOUNT_COLUMNS}, false as parked, null::uuid as parked_id
    from account_projections a where a.account_id = any(${ids}::uuid[])
    union all
    select null::uuid, null::text, null::text, null::text, null::int, null::bigint, null::text, null::text, true, p.account_id
    from parked_accounts p where p.account_id = any(${ids}::uuid[])`.execute(db);
  for (const r of result.rows) {
    if (r.parked) parked.add(r.parked_id!);
    else accounts.set(r.account_id!, accountFromRecord(r as AccountRecord));
  }
  return { accounts, parked };
}
