import { parseLsn } from './lsn';

/**
 * Job states that count as waiting in a partition queue: ready to run (`wait`, which in BullMQ
 * 6 also holds the jobs of a paused queue, and `prioritized`) or waiting out a retry backoff
 * (`delayed`). Active jobs are being processed and completed or failed ones are done, so
 * neither is backlog.
 */
export const BACKLOG_STATES = ['wait', 'prioritized', 'delayed'] as const;

/** The queue depth gauge's value from BullMQ's `getJobCounts(...BACKLOG_STATES)`. */
export function backlogOf(counts: Readonly<Record<string, number>>): number {
  return BACKLOG_STATES.reduce((sum, state) => sum + (counts[state] ?? 0), 0);
}

/** What PostgreSQL says about the WAL and the slot, as text (`pg_lsn::text`). */
export interface WalRow {
  readonly head: string;
  /** The slot's `restart_lsn`; null when the slot does not exist (yet). */
  readonly restart: string | null;
}

/** The byte offsets behind the WAL gauges. */
export interface WalStats {
  readonly headBytes: bigint;
  /** WAL the slot keeps on disk: head minus `restart_lsn`; undefined without a slot. */
  readonly retainedBytes: bigint | undefined;
}

/** Maps the row of the WAL query to byte offsets. */
export function walStatsOf(row: WalRow): WalStats {
  const headBytes = parseLsn(row.head);
  if (row.restart === null) return { headBytes, retainedBytes: undefined };
  const retained = headBytes - parseLsn(row.restart);
  return { headBytes, retainedBytes: retained > 0n ? retained : 0n };
}
