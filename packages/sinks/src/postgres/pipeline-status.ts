import { sql, type Kysely } from 'kysely';
import type { LedgerDatabase } from './database';

/**
 * Namespace (first key) of the session advisory locks by which projector processes own
 * partitions ('LFPR'); the second key is the partition number. Shared by the projector that
 * takes the locks and by `ledgerflow status`, which reads them.
 */
export const PROJECTOR_LOCK_NAMESPACE = 0x4c465052;

/** Prefix of the application_name of every projector connection, followed by the member id. */
export const PROJECTOR_APP_NAME_PREFIX = 'lf-projector:';

export interface PartitionStatusRow {
  readonly partition: number;
  /** Member id of the process holding the partition's lock, or null when nobody owns it. */
  readonly owner: string | null;
  readonly checkpointPosition: bigint;
  readonly eventsApplied: bigint;
  readonly lastAppliedAt: Date | null;
}

export interface MemberStatusRow {
  readonly memberId: string;
  readonly host: string;
  readonly osPid: number;
  readonly startedAt: Date;
  readonly heartbeatAgeMs: number;
  readonly partitions: number[];
}

export interface SlotStatusRow {
  readonly slotName: string;
  readonly active: boolean;
  readonly confirmedFlushLsn: string | null;
  /** WAL the slot keeps PostgreSQL from recycling (pg_current_wal_lsn() − restart_lsn). */
  readonly retainedWalBytes: number;
  /** WAL written but not yet confirmed by ingest (pg_current_wal_lsn() − confirmed_flush_lsn). */
  readonly unconfirmedWalBytes: number;
}

export interface PipelineStatus {
  readonly headPosition: bigint;
  readonly eventsInStore: bigint;
  readonly partitions: PartitionStatusRow[];
  readonly members: MemberStatusRow[];
  readonly slots: SlotStatusRow[];
}

/** Reads who owns what, how far each partition got, and the replication slots. Read-only. */
export async function readPipelineStatus(db: Kysely<LedgerDatabase>, partitions: number, projection = 'accounts'): Promise<PipelineStatus> {
  const [head, owners, checkpoints, members, slots] = await Promise.all([
    sql<{ head: string | null; n: string }>`select max(global_position) as head, count(*) as n from events`.execute(db),
    sql<{ partition: number; application_name: string }>`
      select l.objid::int as partition, a.application_name
      from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and l.classid::bigint = ${PROJECTOR_LOCK_NAMESPACE} and l.objsubid = 2
        and l.database = (select oid from pg_database where datname = current_database())`.execute(db),
    sql<{ partition: number; position: string; events_applied: string; updated_at: Date }>`
      select partition, position, events_applied, updated_at from projection_checkpoints where projection = ${projection}`.execute(db),
    sql<{ member_id: string; host: string; os_pid: number; started_at: Date; age_ms: number; partitions: number[] }>`
      select member_id, host, os_pid, started_at, (extract(epoch from now() - heartbeat_at) * 1000)::float8 as age_ms, partitions
      from projector_members order by member_id`
      .execute(db)
      .catch(() => ({ rows: [] })),
    sql<{ slot_name: string; active: boolean; confirmed_flush_lsn: string | null; retained: string | null; unconfirmed: string | null }>`
      select slot_name, active, confirmed_flush_lsn::text,
        pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint as retained,
        pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint as unconfirmed
      from pg_replication_slots where database = current_database()`.execute(db),
  ]);
  const ownerOf = new Map(owners.rows.map((r) => [r.partition, r.application_name.startsWith(PROJECTOR_APP_NAME_PREFIX) ? r.application_name.slice(PROJECTOR_APP_NAME_PREFIX.length) : r.application_name]));
  const checkpointOf = new Map(checkpoints.rows.map((r) => [r.partition, r]));
  return {
    headPosition: BigInt(head.rows[0]?.head ?? 0),
    eventsInStore: BigInt(head.rows[0]?.n ?? 0),
    partitions: Array.from({ length: partitions }, (_, p) => {
      const c = checkpointOf.get(p);
      return {
        partition: p,
        owner: ownerOf.get(p) ?? null,
        checkpointPosition: BigInt(c?.position ?? 0),
        eventsApplied: BigInt(c?.events_applied ?? 0),
        lastAppliedAt: c?.updated_at ?? null,
      };
    }),
    members: members.rows.map((m) => ({ memberId: m.member_id, host: m.host, osPid: m.os_pid, startedAt: m.started_at, heartbeatAgeMs: Math.round(m.age_ms), partitions: m.partitions })),
    slots: slots.rows.map((s) => ({
      slotName: s.slot_name,
      active: s.active,
      confirmedFlushLsn: s.confirmed_flush_lsn,
      retainedWalBytes: Number(s.retained ?? 0),
      unconfirmedWalBytes: Number(s.unconfirmed ?? 0),
    })),
  };
}
