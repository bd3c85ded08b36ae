import { sql, type Kysely } from 'kysely';
import type { LedgerDatabase } from './database';

/** One parked account, as operators list them. */
export interface ParkedAccount {
  readonly accountId: string;
  readonly partition: number;
  readonly parkedAt: string;
  readonly updatedAt: string;
  readonly code: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
  readonly failedEventId: string;
  readonly failedVersion: number;
  /** Redrives that failed again since the account was parked. */
  readonly attempts: number;
  /** Events recorded as held behind the failed one. */
  readonly heldCount: number;
  /** The version its projection row stopped at (0: no row, its first event failed). */
  readonly projectedVersion: number;
}

/** One event in the dead-letter store. */
export interface DeadLetterEvent {
  readonly eventId: string;
  readonly accountId: string;
  readonly version: number;
  readonly position: string;
  readonly type: string;
  readonly reason: 'failed' | 'held';
  readonly code: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
  readonly data: unknown;
  readonly createdAt: string;
  readonly recordedAt: string;
}

/** An event an operator chose to skip. */
export interface SkippedEvent {
  readonly eventId: string;
  readonly accountId: string;
  readonly version: number;
  readonly reason: string;
  readonly skippedAt: string;
}

/** How much the dead-letter store holds (for metrics and status). */
export interface DeadLetterSummary {
  readonly parkedAccounts: number;
  readonly deadLetterEvents: number;
  readonly skippedEvents: number;
}

interface ParkedRow {
  account_id: string;
  partition: number;
  parked_at: Date;
  updated_at: Date;
  code: string;
  message: string;
  details: Record<string, unknown>;
  failed_event_id: string;
  failed_version: number;
  attempts: number;
  held_count: number;
  projected_version: number;
}

const PARKED_SELECT = sql`
  select p.account_id, p.partition, p.parked_at, p.updated_at, p.code, p.message, p.details, p.failed_event_id, p.failed_version, p.attempts,
    (select count(*) from dead_letter_events d where d.account_id = p.account_id and d.reason = 'held')::int as held_count,
    coalesce(a.version, 0) as projected_version
  from parked_accounts p left join account_projections a on a.account_id = p.account_id`;

function toParked(r: ParkedRow): ParkedAccount {
  return {
    accountId: r.account_id,
    partition: r.partition,
    parkedAt: r.parked_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    code: r.code,
    message: r.message,
    details: r.details,
    failedEventId: r.failed_event_id,
    failedVersion: r.failed_version,
    attempts: r.attempts,
    heldCount: r.held_count,
    projectedVersion: r.projected_version,
  };
}

/** Every parked account, oldest first (at most `limit`). */
export async function listParkedAccounts(db: Kysely<LedgerDatabase>, limit = 1000): Promise<ParkedAccount[]> {
  const result = await sql<ParkedRow>`${PARKED_SELECT} order by p.parked_at, p.account_id limit ${limit}`.execute(db);
  return result.rows.map(toParked);
}

/** One account's dead letters: its parked row (undefined if not parked), its failed and held events in version order, and its skipped events. */
export async function readAccountDeadLetters(
  db: Kysely<LedgerDatabase>,
  accountId: string,
): Promise<{ parked: ParkedAccount | undefined; events: DeadLetterEvent[]; skipped: SkippedEvent[] }> {
  const id = accountId.toLowerCase();
  const parked = await sql<ParkedRow>`${PARKED_SELECT} where p.account_id = ${id}::uuid`.execute(db);
  const events = await sql<{
    event_id: string;
    account_id: string;
    version: number;
    position: string;
    type: string;
    reason: 'failed' | 'held';
    code: string;
    message: string;
    details: Record<string, unknown>;
    data: unknown;
    created_at: Date;
    recorded_at: Date;
  }>`
    select event_id, account_id, version, position, type, reason, code, message, details, data, created_at, recorded_at
    from dead_letter_events where account_id = ${id}::uuid order by version`.execute(db);
  return {
    parked: parked.rows[0] ? toParked(parked.rows[0]) : undefined,
    events: events.rows.map((r) => ({
      eventId: r.event_id,
      accountId: r.account_id,
      version: r.version,
      position: r.position,
      type: r.type,
      reason: r.reason,
      code: r.code,
      message: r.message,
      details: r.details,
      data: r.data,
      createdAt: r.created_at.toISOString(),
      recordedAt: r.recorded_at.toISOString(),
    })),
    skipped: await readSkippedEvents(db, id),
  };
}

/** The skipped events of one account, by version. */
export async function readSkippedEvents(db: Kysely<LedgerDatabase>, accountId: string): Promise<SkippedEvent[]> {
  const result = await sql<{ event_id: string; account_id: string; version: number; reason: string; skipped_at: Date }>`
    select event_id, account_id, version, reason, skipped_at from skipped_events where account_id = ${accountId.toLowerCase()}::uuid order by version`.execute(db);
  return result.rows.map((r) => ({ eventId: r.event_id, accountId: r.account_id, version: r.version, reason: r.reason, skippedAt: r.skipped_at.toISOString() }));
}

/** Counts of parked accounts, dead-letter events and skipped events (a gauge for metrics). */
export async function readDeadLetterSummary(db: Kysely<LedgerDatabase>): Promise<DeadLetterSummary> {
  const result = await sql<{ parked: number; dead: number; skipped: number }>`
    select (select count(*) from parked_accounts)::int as parked, (select count(*) from dead_letter_events)::int as dead,
      (select count(*) from skipped_events)::int as skipped`.execute(db);
  const r = result.rows[0]!;
  return { parkedAccounts: r.parked, deadLetterEvents: r.dead, skippedEvents: r.skipped };
}
