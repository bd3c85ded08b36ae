import type pg from 'pg';

/** SQLSTATE insufficient_privilege: CHECKPOINT needs superuser or the pg_checkpoint role. */
const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * Starts a timed run from a clean server: CHECKPOINT writes the dirty pages the previous run
 * left (a catch-up or a baseline writes hundreds of MB of WAL). Without it the server's own
 * checkpoint, triggered by that WAL, writes them during the next run and full-page images
 * swell that run's WAL: one run would pay for another. (pgbench checkpoints before its runs
 * for the same reason.) Returns false when the role may not checkpoint: the run goes on.
 */
export async function settleDatabase(pool: pg.Pool): Promise<boolean> {
  try {
    await pool.query('checkpoint');
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === INSUFFICIENT_PRIVILEGE) return false;
    throw error;
  }
}
