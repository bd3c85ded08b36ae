import type { LedgerDatabase } from '@ledgerflow/sinks';
import { sql, type Kysely } from 'kysely';
import { PROJECTOR_LOCK_NAMESPACE, memberOfAppName, type FleetView, type LockRow, type MemberRow, type SessionRow } from './fleet-rules';

/** Who a member is, as its row shows it. */
export interface MemberIdentity {
  readonly memberId: string;
  readonly host: string;
  readonly osPid: number;
}

/** Writes my heartbeat (database clock) and the partitions I own; recreates my row if it was reaped. */
export async function writeHeartbeat(db: Kysely<LedgerDatabase>, me: MemberIdentity, partitions: readonly number[]): Promise<void> {
  await sql`
    insert into projector_members (member_id, host, os_pid, started_at, heartbeat_at, partitions)
    values (${me.memberId}, ${me.host}, ${me.osPid}, now(), now(), ${[...partitions]}::int[])
    on conflict (member_id) do update set heartbeat_at = now(), partitions = excluded.partitions`.execute(db);
}

/** Deletes my row (graceful stop): the others see me gone at their next step. */
export async function deleteMember(db: Kysely<LedgerDatabase>, memberId: string): Promise<void> {
  await sql`delete from projector_members where member_id = ${memberId}`.execute(db);
}

/**
 * Reads the membership, the members' connections and the granted partition locks of this
 * database, in that order: a member always writes its row before it opens lock connections,
 * so a connection read here belongs to a row read here or to a member newer than the read.
 */
export async function readFleetView(db: Kysely<LedgerDatabase>): Promise<FleetView> {
  const members = await sql<{ member_id: string; age_ms: number }>`
    select member_id, (extract(epoch from now() - heartbeat_at) * 1000)::float8 as age_ms from projector_members`.execute(db);
  const sessions = await sql<{ pid: number; application_name: string; age_ms: number }>`
    select pid, application_name, (extract(epoch from now() - backend_start) * 1000)::float8 as age_ms
    from pg_stat_activity where datname = current_database() and application_name like 'lf-projector:%'`.execute(db);
  const locks = await sql<{ partition: number; pid: number; application_name: string | null }>`
    select l.objid::int as partition, l.pid, a.application_name
    from pg_locks l left join pg_stat_activity a on a.pid = l.pid
    where l.locktype = 'advisory' and l.granted and l.classid = ${PROJECTOR_LOCK_NAMESPACE}::oid and l.objsubid = 2
      and l.database = (select oid from pg_database where datname = current_database())`.execute(db);
  return {
    members: members.rows.map((r): MemberRow => ({ memberId: r.member_id, heartbeatAgeMs: r.age_ms })),
    sessions: sessions.rows.flatMap((r): SessionRow[] => {
      const memberId = memberOfAppName(r.application_name);
      return memberId === undefined ? [] : [{ pid: r.pid, memberId, backendAgeMs: r.age_ms }];
    }),
    locks: locks.rows.map((r): LockRow => ({ partition: r.partition, pid: r.pid, memberId: memberOfAppName(r.application_name) })),
  };
}

/**
 * Terminates backends (fencing: their open transactions roll back, their advisory locks go,
 * and their clients can never commit again), waiting up to `waitMs` for each to exit so the
 * locks are free when this returns. Needs the same role as the members, or pg_signal_backend.
 * Returns how many were confirmed gone.
 */
export async function terminateBackends(db: Kysely<LedgerDatabase>, pids: readonly number[], waitMs: number): Promise<number> {
  if (pids.length === 0) return 0;
  const r = await sql<{ n: number }>`
    select count(*) filter (where pg_terminate_backend(pid, ${waitMs}))::int as n from unnest(${[...pids]}::int[]) as pid`.execute(db);
  return r.rows[0]?.n ?? 0;
}

/** Deletes the rows of members that are still stale (one that beat again in between stays). */
export async function deleteStaleMembers(db: Kysely<LedgerDatabase>, memberIds: readonly string[], timeoutMs: number): Promise<number> {
  if (memberIds.length === 0) return 0;
  const r = await sql`
    delete from projector_members
    where member_id = any(${[...memberIds]}::text[]) and heartbeat_at < now() - ${timeoutMs} * interval '1 millisecond'`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}
