import type { LedgerDatabase } from '@ledgerflow/sinks';
import type { Kysely } from 'kysely';

/** Catch-up progress of one slot (`ingest_state`). */
export interface CatchUpState {
  readonly done: boolean;
  /** Every event at or below this global position is in Redis. */
  readonly position: bigint;
}

/** Reads the progress of `slotName`; a missing row means catch-up never started. */
export async function loadCatchUpState(db: Kysely<LedgerDatabase>, slotName: string): Promise<CatchUpState> {
  const row = await db.selectFrom('ingest_state').select(['catchup_done', 'catchup_position']).where('slot_name', '=', slotName).executeTakeFirst();
  return row ? { done: row.catchup_done, position: BigInt(row.catchup_position) } : { done: false, position: 0n };
}

/** Writes the progress of `slotName` (insert or overwrite). */
export async function saveCatchUpState(db: Kysely<LedgerDatabase>, slotName: string, state: CatchUpState): Promise<void> {
  const values = { catchup_done: state.done, catchup_position: state.position.toString(), updated_at: new Date() };
  await db
    .insertInto('ingest_state')
    .values({ slot_name: slotName, ...values })
    .onConflict((oc) => oc.column('slot_name').doUpdateSet(values))
    .execute();
}
