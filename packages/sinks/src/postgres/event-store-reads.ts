import { decodeEventRow, type StoredEvent } from '@ledgerflow/cdc-core';
import { sql, type Kysely } from 'kysely';
import { columnLiteral } from './array-literal';
import type { LedgerDatabase } from './database';

/** One account's missing versions, inclusive. */
export interface VersionRange {
  readonly streamId: string;
  readonly fromVersion: number;
  readonly toVersion: number;
}

// data and metadata stay JSON text: the consumer parses them only if it needs them.
const EVENT_COLUMNS = sql`global_position, event_id, stream_id, version, type, data::text as data, metadata::text as metadata, created_at`;

/**
 * Reads the given version ranges of many streams in one round trip (gap repair), ordered by
 * stream and version.
 */
export async function readVersionRanges(db: Kysely<LedgerDatabase>, ranges: readonly VersionRange[]): Promise<StoredEvent[]> {
  if (ranges.length === 0) return [];
  const result = await sql<Record<string, unknown>>`
    select ${EVENT_COLUMNS}
    from events e
    join unnest(${columnLiteral(ranges, (r) => r.streamId)}::uuid[], ${columnLiteral(ranges, (r) => r.fromVersion)}::int[], ${columnLiteral(ranges, (r) => r.toVersion)}::int[])
      as r(range_stream_id, from_version, to_version)
      on e.stream_id = r.range_stream_id and e.version between r.from_version and r.to_version
    order by e.stream_id, e.version`.execute(db);
  return result.rows.map((row) => decodeEventRow(row));
}

/** Reads up to `limit` events with a global position above `afterPosition`, in position order. */
export async function readEventsAfter(db: Kysely<LedgerDatabase>, afterPosition: bigint, limit: number): Promise<StoredEvent[]> {
  const result = await sql<Record<string, unknown>>`
    select ${EVENT_COLUMNS} from events
    where global_position > ${afterPosition.toString()}::bigint
    order by global_position limit ${limit}`.execute(db);
  return result.rows.map((row) => decodeEventRow(row));
}

/** Reads every event of one stream from `fromVersion` on, in version order. */
export async function readStream(db: Kysely<LedgerDatabase>, streamId: string, fromVersion = 1): Promise<StoredEvent[]> {
  const result = await sql<Record<string, unknown>>`
    select ${EVENT_COLUMNS} from events where stream_id = ${streamId}::uuid and version >= ${fromVersion} order by version`.execute(db);
  return result.rows.map((row) => decodeEventRow(row));
}

// Qualified: account_projections has version and created_at columns too.
const QUALIFIED_EVENT_COLUMNS = sql`e.global_position, e.event_id, e.stream_id, e.version, e.type, e.data::text as data, e.metadata::text as metadata, e.created_at`;

/**
 * Reads up to `limit` events in (`afterPosition`, `upToPosition`] that the account read model
 * has not applied yet (a version above the account's projected version, or no projection row)
 * and that are not parked, in position order. Used to refill Redis after it lost jobs: whatever is applied needs no job.
 */
export async function readUnappliedEventsAfter(db: Kysely<LedgerDatabase>, afterPosition: bigint, upToPosition: bigint, limit: number): Promise<StoredEvent[]> {
  const result = await sql<Record<string, unknown>>`
    select ${QUALIFIED_EVENT_COLUMNS}
    from events e
    left join account_projections a on a.account_id = e.stream_id
    where e.global_position > ${afterPosition.toString()}::bigint
      and e.global_position <= ${upToPosition.toString()}::bigint
      and e.version > coalesce(a.version, 0)
      -- A parked account's events wait in the dead-letter store; a redrive reads the store itself.
      and not exists (select 1 from parked_accounts p where p.account_id = e.stream_id)
    order by e.global_position limit ${limit}`.execute(db);
  return result.rows.map((row) => decodeEventRow(row));
}
