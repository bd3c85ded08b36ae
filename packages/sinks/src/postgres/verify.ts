import { sql, type Kysely } from 'kysely';
import type { LedgerDatabase } from './database';

/** What `verifyReadModels` found. */
export interface VerifyReport {
  readonly streams: number;
  readonly events: number;
  readonly accountRows: number;
  readonly transactionRows: number;
  readonly mismatches: {
    readonly missingAccounts: number;
    readonly extraAccounts: number;
    readonly wrongAccounts: number;
    readonly missingTransactions: number;
    readonly extraTransactions: number;
    readonly wrongTransactions: number;
    /** Streams whose versions are not exactly 1…n (the event store itself is broken). */
    readonly brokenStreams: number;
  };
  readonly total: number;
  /** Up to 10 examples of what differs, for a human. */
  readonly samples: readonly string[];
}

/**
 * Recomputes every account from `events` in SQL — deliberately a second implementation,
 * independent of the TypeScript fold — and diffs it with the read models: balance, status,
 * version, last position, owner, and every transaction row with its balance_after.
 */
export async function verifyReadModels(db: Kysely<LedgerDatabase>): Promise<VerifyReport> {
  return db.connection().execute(async (conn) => {
    await sql`drop table if exists pg_temp.lf_expected_events, pg_temp.lf_expected_accounts`.execute(conn);
    // One pass over the event store: each event's balance delta and the running balance.
    await sql`
      create temp table lf_expected_events as
      select stream_id, version, global_position, type, created_at, data,
        sum(delta) over (partition by stream_id order by version) as balance_after, delta
      from (select stream_id, version, global_position, type, created_at, data,
              case type
                when 'AccountCreated' then (data->>'initialBalance')::numeric(20,2)
                when 'MoneyDeposited' then (data->>'amount')::numeric(20,2)
                when 'MoneyWithdrawn' then -(data->>'amount')::numeric(20,2)
                else 0 end as delta
            from events) e`.execute(conn);
    await sql`
      create temp table lf_expected_accounts as
      select stream_id as account_id, count(*)::int as n, max(version) as version, min(version) as min_version,
        max(global_position) as last_position, sum(delta) as balance,
        max(data->>'ownerName') filter (where type = 'AccountCreated') as owner_name,
        case when bool_or(type = 'AccountClosed') then 'closed' else 'active' end as status
      from lf_expected_events group by stream_id`.execute(conn);
    const counts = await sql<Record<string, string>>`
      select
        (select count(*) from lf_expected_accounts) as streams,
        (select coalesce(sum(n), 0) from lf_expected_accounts) as events,
        (select count(*) from account_projections) as account_rows,
        (select count(*) from transaction_projections) as transaction_rows,
        (select count(*) from lf_expected_accounts x where not exists (select 1 from account_projections a where a.account_id = x.account_id)) as missing_accounts,
        (select count(*) from account_projections a where not exists (select 1 from lf_expected_accounts x where x.account_id = a.account_id)) as extra_accounts,
        (select count(*) from lf_expected_accounts x join account_projections a using (account_id)
           where (a.balance, a.status, a.version, a.last_position, a.owner_name) is distinct from (x.balance, x.status, x.version, x.last_position, x.owner_name)) as wrong_accounts,
        (select count(*) from lf_expected_accounts x where x.n <> x.version or x.min_version <> 1) as broken_streams
    `.execute(conn);
    const txCounts = await sql<Record<string, string>>`
      with expected as (
        select (data->>'transactionId')::uuid as transaction_id, stream_id as account_id,
          case type when 'MoneyDeposited' then 'DEPOSIT' else 'WITHDRAWAL' end as type,
          abs(delta) as amount, balance_after, global_position as position, created_at as occurred_at
        from lf_expected_events where type in ('MoneyDeposited', 'MoneyWithdrawn'))
      select
        (select count(*) from expected x where not exists (select 1 from transaction_projections p where p.transaction_id = x.transaction_id)) as missing,
        (select count(*) from transaction_projections p where not exists (select 1 from expected x where x.transaction_id = p.transaction_id)) as extra,
        (select count(*) from expected x join transaction_projections p using (transaction_id)
           where (p.account_id, p.type, p.amount, p.balance_after, p.position, p.occurred_at)
             is distinct from (x.account_id, x.type, x.amount, x.balance_after, x.position, x.occurred_at)) as wrong
    `.execute(conn);
    const samples = await sql<{ line: string }>`
      (select 'account ' || x.account_id || ': expected balance ' || x.balance || ' v' || x.version || ' ' || x.status
         || ', read model ' || coalesce(a.balance::text || ' v' || a.version || ' ' || a.status, 'missing') as line
       from lf_expected_accounts x left join account_projections a using (account_id)
       where a.account_id is null or (a.balance, a.status, a.version, a.last_position, a.owner_name) is distinct from (x.balance, x.status, x.version, x.last_position, x.owner_name)
       limit 10)`.execute(conn);
    const c = counts.rows[0]!;
    const t = txCounts.rows[0]!;
    const mismatches = {
      missingAccounts: Number(c['missing_accounts']),
      extraAccounts: Number(c['extra_accounts']),
      wrongAccounts: Number(c['wrong_accounts']),
      missingTransactions: Number(t['missing']),
      extraTransactions: Number(t['extra']),
      wrongTransactions: Number(t['wrong']),
      brokenStreams: Number(c['broken_streams']),
    };
    await sql`drop table if exists lf_expected_events, lf_expected_accounts`.execute(conn);
    return {
      streams: Number(c['streams']),
      events: Number(c['events']),
      accountRows: Number(c['account_rows']),
      transactionRows: Number(c['transaction_rows']),
      mismatches,
      total: Object.values(mismatches).reduce((a, b) => a + b, 0),
      samples: samples.rows.map((r) => r.line),
    };
  });
}
