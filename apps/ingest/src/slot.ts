import { LedgerflowError } from '@ledgerflow/cdc-core';
import type { Pool } from 'pg';
import { parseLsn } from './lsn';

/** What PostgreSQL says about a replication slot. */
export interface SlotInfo {
  readonly slotName: string;
  readonly plugin: string | null;
  readonly database: string | null;
  readonly active: boolean;
  /** How far the consumer has confirmed; undefined for a physical slot. */
  readonly confirmedFlush: bigint | undefined;
}

/** Reads one slot, or undefined if it does not exist. */
export async function readSlot(pool: Pool, slotName: string): Promise<SlotInfo | undefined> {
  const result = await pool.query<{ plugin: string | null; database: string | null; active: boolean; confirmed_flush_lsn: string | null }>(
    'select plugin, database, active, confirmed_flush_lsn::text from pg_replication_slots where slot_name = $1',
    [slotName],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  return {
    slotName,
    plugin: row.plugin,
    database: row.database,
    active: row.active,
    confirmedFlush: row.confirmed_flush_lsn === null ? undefined : parseLsn(row.confirmed_flush_lsn),
  };
}

/**
 * Makes sure the pgoutput slot exists in this database; returns whether it had to be created.
 * `beforeCreate` runs first when it does not exist: ingest resets its catch-up progress there,
 * so a crash between the two steps can never leave a new slot paired with an old "caught up"
 * mark. Creating the slot waits for every transaction in flight, so whatever committed before
 * is visible to later table reads and whatever commits after is streamed.
 */
export async function ensureSlot(pool: Pool, slotName: string, beforeCreate: () => Promise<void>): Promise<{ created: boolean }> {
  const existing = await readSlot(pool, slotName);
  if (existing) {
    await assertUsable(pool, existing);
    return { created: false };
  }
  await beforeCreate();
  try {
    await pool.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [slotName]);
    return { created: true };
  } catch (error) {
    // 42710 duplicate_object: another ingest created it between our read and our create.
    if ((error as { code?: string }).code === '42710') return { created: false };
    throw error;
  }
}

async function assertUsable(pool: Pool, slot: SlotInfo): Promise<void> {
  const { rows } = await pool.query<{ db: string }>('select current_database() as db');
  if (slot.plugin !== 'pgoutput' || slot.database !== rows[0]?.db) {
    throw new LedgerflowError('CONFIG_INVALID', `replication slot ${slot.slotName} exists but is not a pgoutput slot of this database`, {
      details: { plugin: slot.plugin, database: slot.database },
    });
  }
}
