import { sql, type Kysely } from 'kysely';
import type { LedgerDatabase } from './database';

/** True while the server has not crashed since the marker was last set (migration 0006). */
export async function crashMarkerPresent(db: Kysely<LedgerDatabase>): Promise<boolean> {
  const { rows } = await sql<{ present: boolean }>`select exists (select 1 from ledgerflow_crash_marker) as present`.execute(db);
  return rows[0]?.present === true;
}

/** Sets the marker again, once whatever a crash lost has been repaired. Idempotent. */
export async function setCrashMarker(db: Kysely<LedgerDatabase>): Promise<void> {
  await sql`insert into ledgerflow_crash_marker default values on conflict (only_row) do update set set_at = now()`.execute(db);
}
