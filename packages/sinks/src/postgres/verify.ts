import { sql, type Kysely, type Transaction } from 'kysely';
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
    /**
     * Streams holding an event the projection must refuse (corrupt data, unknown type, a rule
     * violation): parked accounts (G5). Their rows are checked against the fold up to that event.
     */
    readonly parkedStreams: number;
  };
  readonly total: number;
  /**
   * Events an operator skipped (`ledgerflow dlq skip`): the fold counts them toward the version
   * and applies nothing else. Not a mismatch.
   */
  readonly skippedEvents: number;
  /** Up to 10 examples of what differs, for a human. */
  readonly samples: readonly string[];
}

type Trx = Transaction<LedgerDatabase>;

const MONEY = '^(0|[1-9][0-9]{0,17})\\.[0-9]{2}$';
const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/**
 * Recomputes every account from `events` in SQL — deliberately a second implementation,
 * independent of the TypeScript fold — and diffs it with the read models: balance, status,
 * version, last position, owner, and every transaction row with its balance_after. Runs in one
 * repeatable-read snapshot, so a pipeline writing meanwhile cannot show up as a mismatch.
 */
export async function verifyReadModels(db: Kysely<LedgerDatabase>): Promise<VerifyReport> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      await expectedRows(trx);
      const c = (await accountCounts(trx)).rows[0]!;
      const t = (await transactionCounts(trx)).rows[0]!;
      const samples = await sampleLines(trx);
      const mismatches = {
        missingAccounts: Number(c['missing_accounts']),
        extraAccounts: Number(c['extra_accounts']),
        wrongAccounts: Number(c['wrong_accounts']),
        missingTransactions: Number(t['missing']),
        extraTransactions: Number(t['extra']),
        wrongTransactions: Number(t['wrong']),
        brokenStreams: Number(c['broken_streams']),
        parkedStreams: Number(c['parked_streams']),
      };
      return {
        streams: Number(c['streams']),
        events: Number(c['events']),
        accountRows: Number(c['account_rows']),
        transactionRows: Number(c['transaction_rows']),
        mismatches,
        total: Object.values(mismatches).reduce((a, b) => a + b, 0),
        skippedEvents: Number(c['skipped_events']),
        samples,
      };
    });
}

// The helpers below inline constants as literals: CREATE TABLE AS takes no bind parameters.

/** A money field as parseMoney reads it (a string, exactly two fraction digits), else null. */
function money(name: string) {
  const f = sql.lit(name);
  return sql`case when jsonb_typeof(data->${f}) = 'string' and data->>${f} ~ ${sql.lit(MONEY)} then (data->>${f})::numeric(20,2) end`;
}

/** A non-empty string field of at most 500 characters. */
function text(name: string) {
  const f = sql.lit(name);
  return sql`(jsonb_typeof(data->${f}) = 'string' and length(data->>${f}) between 1 and 500)`;
}

function uuid(name: string) {
  const f = sql.lit(name);
  return sql`(jsonb_typeof(data->${f}) = 'string' and data->>${f} ~* ${sql.lit(UUID)})`;
}

/**
 * lf_events: every event with its delta, running balance and whether the projection must refuse
 * it (the checks of parseLedgerEvent and evolveAccount, or a hole in the versions before it);
 * `refused` marks it and every later event of its stream. A skipped event (skipped_events) is
 * a no-op that counts toward the version, refused only if it would open the account.
 * lf_expected_accounts: the fold of each stream's unrefused events.
 */
async function expectedRows(trx: Trx): Promise<void> {
  await sql`
    create temp table lf_events on commit drop as
    with checked as (
      select stream_id, version, global_position, type, created_at, data,
        exists (select 1 from skipped_events s where s.event_id = events.event_id) as skipped,
        case type
          when 'AccountCreated' then ${money('initialBalance')}
          when 'MoneyDeposited' then nullif(${money('amount')}, 0)
          when 'MoneyWithdrawn' then -nullif(${money('amount')}, 0)
          when 'AccountClosed' then 0 end as delta,
        case when type in ('MoneyDeposited', 'MoneyWithdrawn') and ${uuid('transactionId')} then (data->>'transactionId')::uuid end as transaction_id,
        jsonb_typeof(data) = 'object' and ${uuid('accountId')} and lower(data->>'accountId') = stream_id::text
          and case type
            when 'AccountCreated' then ${text('ownerName')}
            when 'AccountClosed' then ${text('reason')}
            else ${uuid('transactionId')} and (coalesce(jsonb_typeof(data->'transferId'), 'null') = 'null' or ${uuid('transferId')}) end as shape_ok
      from events),
    effective as (
      select stream_id, version, global_position, type, created_at, data, skipped, shape_ok,
        case when skipped then 0 else delta end as delta, case when not skipped then transaction_id end as transaction_id
      from checked),
    running as (
      select *, sum(delta) over (partition by stream_id order by version) as balance_after,
        row_number() over (partition by stream_id order by version) as seq,
        coalesce(bool_or(type = 'AccountClosed' and not skipped) over (partition by stream_id order by version rows between unbounded preceding and 1 preceding), false) as after_close
      from effective),
    flagged as (
      select *, (version <> seq or case when skipped then version = 1 else
                 (coalesce(not shape_ok, true) or delta is null or (type = 'AccountCreated') <> (version = 1) or after_close
                  or balance_after < 0 or balance_after > 999999999999999999.99) end) as invalid
      from running)
    select *, bool_or(invalid) over (partition by stream_id order by version) as refused from flagged`.execute(trx);
  await sql`
    create temp table lf_expected_accounts on commit drop as
    select stream_id as account_id, count(*)::int as n, max(version) as version,
      (array_agg(global_position order by version desc))[1] as last_position, sum(delta) as balance,
      max(data->>'ownerName') filter (where type = 'AccountCreated' and not skipped) as owner_name,
      case when bool_or(type = 'AccountClosed' and not skipped) then 'closed' else 'active' end as status
    from lf_events where not refused group by stream_id`.execute(trx);
}

function accountCounts(trx: Trx) {
  return sql<Record<string, string>>`
    select
      (select count(distinct stream_id) from lf_events) as streams,
      (select count(*) from lf_events) as events,
      (select count(*) from account_projections) as account_rows,
      (select count(*) from transaction_projections) as transaction_rows,
      (select count(*) from lf_expected_accounts x where not exists (select 1 from account_projections a where a.account_id = x.account_id)) as missing_accounts,
      (select count(*) from account_projections a where not exists (select 1 from lf_expected_accounts x where x.account_id = a.account_id)) as extra_accounts,
      (select count(*) from lf_expected_accounts x join account_projections a using (account_id)
         where (a.balance, a.status, a.version, a.last_position, a.owner_name) is distinct from (x.balance, x.status, x.version, x.last_position, x.owner_name)) as wrong_accounts,
      (select count(*) from (select stream_id from lf_events group by stream_id having count(*) <> max(version) or min(version) <> 1) b) as broken_streams,
      (select count(distinct stream_id) from lf_events where invalid) as parked_streams,
      (select count(*) from lf_events where skipped) as skipped_events`.execute(trx);
}

function transactionCounts(trx: Trx) {
  return sql<Record<string, string>>`
    with expected as (
      select transaction_id, stream_id as account_id,
        case type when 'MoneyDeposited' then 'DEPOSIT' else 'WITHDRAWAL' end as type,
        abs(delta) as amount, balance_after, global_position as position, created_at as occurred_at
      from lf_events where not refused and not skipped and type in ('MoneyDeposited', 'MoneyWithdrawn'))
    select
      (select count(*) from expected x where not exists (select 1 from transaction_projections p where p.transaction_id = x.transaction_id)) as missing,
      (select count(*) from transaction_projections p where not exists (select 1 from expected x where x.transaction_id = p.transaction_id)) as extra,
      (select count(*) from expected x join transaction_projections p using (transaction_id)
         where (p.account_id, p.type, p.amount, p.balance_after, p.position, p.occurred_at)
           is distinct from (x.account_id, x.type, x.amount, x.balance_after, x.position, x.occurred_at)) as wrong`.execute(trx);
}

async function sampleLines(trx: Trx): Promise<string[]> {
  const result = await sql<{ line: string }>`
    (select 'account ' || x.account_id || ': expected balance ' || x.balance || ' v' || x.version || ' ' || x.status
       || ', read model ' || coalesce(a.balance::text || ' v' || a.version || ' ' || a.status, 'missing') as line
     from lf_expected_accounts x left join account_projections a using (account_id)
     where a.account_id is null or (a.balance, a.status, a.version, a.last_position, a.owner_name) is distinct from (x.balance, x.status, x.version, x.last_position, x.owner_name)
     limit 5)
    union all
    (select 'stream ' || stream_id || ': event v' || min(version) || ' cannot be applied (account parked)'
     from lf_events where invalid group by stream_id limit 5)`.execute(trx);
  return result.rows.map((r) => r.line);
}
