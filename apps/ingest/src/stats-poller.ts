import type { Queue } from 'bullmq';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { IngestMetrics } from './ingest-metrics';
import { retainedWalWarningDue } from './backpressure';
import { formatLsn } from './lsn';
import { BACKLOG_STATES, backlogOf, walStatsOf, type WalRow, type WalStats } from './ops-stats';

/** What the poller reads and where it reports. */
export interface StatsPollerDeps {
  readonly pool: pg.Pool;
  readonly slotName: string;
  /** The partition queues (index = partition). */
  readonly queues: readonly Pick<Queue, 'getJobCounts'>[];
  readonly metrics: IngestMetrics;
  readonly intervalMs: number;
  readonly logger: Logger;
  /** Warn while the slot retains more WAL than this (bytes; 0: never). */
  readonly retainedWalWarnBytes?: number;
}

/** A stuck slot warns this often, not per poll. */
const RETAINED_WAL_WARN_EVERY_MS = 5 * 60_000;

// One cheap query: the WAL head and the slot's restart_lsn (null while the slot does not exist).
const WAL_QUERY = `select pg_current_wal_lsn()::text as head,
  (select restart_lsn::text from pg_replication_slots where slot_name = $1) as restart`;

/**
 * Runs `tick` now and then `intervalMs` after each run ends: runs never overlap, so a
 * dependency that hangs (Redis down: commands wait in ioredis's offline queue) holds one call,
 * not a pile of them. Failures are logged at debug: outages are reported by the session.
 */
function every(intervalMs: number, what: string, tick: () => Promise<void>, logger: Logger): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const run = async () => {
    await tick().catch((error: unknown) => logger.debug({ err: error }, `${what} failed`));
    if (!stopped) timer = setTimeout(() => void run(), intervalMs);
  };
  void run();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/**
 * Polls what ingest cannot see on its own, for the gauges: the WAL head and the WAL the slot
 * retains (PostgreSQL), and the backlog of each partition queue (BullMQ job counts). Also hands
 * tallied reads to their counter, so an idle stream's last reads show. Returns the stop
 * function (a poll in flight is not waited for: its late answer only updates a gauge).
 */
export function startStatsPoller(deps: StatsPollerDeps): () => void {
  const { pool, slotName, queues, metrics, intervalMs, logger } = deps;
  const warning = { thresholdBytes: BigInt(deps.retainedWalWarnBytes ?? 0), everyMs: RETAINED_WAL_WARN_EVERY_MS };
  let lastWarnedMs: number | undefined;
  const warnIfRetaining = (stats: WalStats) => {
    const now = Date.now();
    if (!retainedWalWarningDue(stats.retainedBytes, lastWarnedMs, now, warning)) return;
    lastWarnedMs = now;
    logger.warn(
      { slot: slotName, retainedBytes: stats.retainedBytes?.toString(), thresholdBytes: warning.thresholdBytes.toString(), walHead: formatLsn(stats.headBytes) },
      'the replication slot retains more WAL than LEDGERFLOW_INGEST_RETAINED_WAL_WARN_BYTES: ingest is behind, paused by deep queues, or not confirming (disk fills up if this goes on)',
    );
  };
  const stopWal = every(
    intervalMs,
    'WAL stats poll',
    async () => {
      metrics.flushReads();
      const { rows } = await pool.query<WalRow>(WAL_QUERY, [slotName]);
      if (!rows[0]) return;
      const stats = walStatsOf(rows[0]);
      metrics.walStats(stats);
      warnIfRetaining(stats);
    },
    logger,
  );
  const stopQueues = every(
    intervalMs,
    'queue depth poll',
    async () => {
      const counts = await Promise.all(queues.map((queue) => queue.getJobCounts(...BACKLOG_STATES)));
      counts.forEach((c, partition) => metrics.queueDepth(partition, backlogOf(c)));
    },
    logger,
  );
  return () => {
    stopWal();
    stopQueues();
  };
}
