import { ACCOUNTS_PROJECTION, readDeadLetterSummary, type LedgerDatabase } from '@ledgerflow/sinks';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import { Ticker } from '../fleet/ticker';
import type { ProjectorMetrics } from './projector-metrics';

/** How often the parked-accounts gauge is refreshed: a count over a small table, every few seconds. */
export const PARKED_POLL_MS = 5000;

/** The partition's checkpoint position as PostgreSQL holds it, or undefined when it has none yet. */
export async function readCheckpoint(db: Kysely<LedgerDatabase>, partition: number): Promise<bigint | undefined> {
  const r = await sql<{ position: string }>`
    select position::text as position from projection_checkpoints where projection = ${ACCOUNTS_PROJECTION} and partition = ${partition}`.execute(db);
  const row = r.rows[0];
  return row === undefined ? undefined : BigInt(row.position);
}

/**
 * Keeps the parked-accounts gauge current: counts the dead-letter store now and every
 * `intervalMs`. Parking happens in batches and redrives from the CLI, so the store is the only
 * place that knows the number. A failed count keeps the last value (and is logged at debug:
 * readiness reports an unreachable PostgreSQL); none is tried while `blocked()` (the circuit
 * breaker is open). Stop the returned ticker before closing `db`.
 */
export function pollParkedAccounts(db: Kysely<LedgerDatabase>, metrics: ProjectorMetrics, logger: Logger, options: { readonly intervalMs?: number; readonly blocked?: () => boolean } = {}): Ticker {
  const { intervalMs = PARKED_POLL_MS, blocked } = options;
  const ticker = new Ticker(async () => {
    // The PostgreSQL circuit is open: no query (the gauge keeps its last value).
    if (blocked?.()) return intervalMs;
    try {
      metrics.parked((await readDeadLetterSummary(db)).parkedAccounts);
    } catch (err) {
      logger.debug({ err }, 'could not count parked accounts; the gauge keeps its last value');
    }
    return intervalMs;
  });
  ticker.start(0);
  return ticker;
}
