import type pg from 'pg';

/**
 * Whether ingest streams from the slot: a walsender holds it. `pg_replication_slots.active`
 * alone is not enough — it is also true while `pg_create_logical_replication_slot` builds the
 * slot (a client backend holds it then, waiting for the cluster's running transactions, before
 * ingest's catch-up): an event committed in that window is scanned by catch-up and may be
 * streamed as well.
 */
export async function slotStreams(pool: Pick<pg.Pool, 'query'>, slot: string): Promise<boolean> {
  const r = await pool.query('select 1 from pg_replication_slots s join pg_stat_replication w on w.pid = s.active_pid where s.slot_name = $1', [slot]);
  return (r.rowCount ?? 0) > 0;
}
