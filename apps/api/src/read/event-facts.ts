import type { LedgerDatabase } from '@ledgerflow/sinks';
import { sql, type Kysely } from 'kysely';
import type { SkippedEventFacts } from '../admin/dlq-outcomes';

/** An event's account and version, and where that account's read-model row stands; undefined when there is no such event. */
export async function readEventFacts(db: Kysely<LedgerDatabase>, eventId: string): Promise<SkippedEventFacts | undefined> {
  const result = await sql<{ stream_id: string; version: number; projected_version: number }>`
    select e.stream_id, e.version, coalesce(a.version, 0) as projected_version
    from events e left join account_projections a on a.account_id = e.stream_id
    where e.event_id = ${eventId}::uuid`.execute(db);
  const r = result.rows[0];
  return r ? { accountId: r.stream_id, version: r.version, projectedVersion: r.projected_version } : undefined;
}
