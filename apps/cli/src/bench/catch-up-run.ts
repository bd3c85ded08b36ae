import { createDb, verifyReadModels } from '@ledgerflow/sinks';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { deleteKeysWithPrefix } from '../shared/redis-keys';
import { downsample, type SeriesPoint } from './bench-series';
import { cpuShares, readCpuTimes, type CpuShares } from './host-cpu';
import type { OnProgress } from './progress-bar';
import { readPeakRss } from './peak-rss';
import { startPipeline } from './pipeline-processes';

export interface CatchUpResult {
  readonly projectors: number;
  readonly events: number;
  /** From the first projected event to the last. */
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly verified: boolean;
  readonly mismatches: number;
  /** Peak RSS (VmHWM) of each process of the run, by name (`ingest`, `projector-0`, …). */
  readonly peakRssBytes: Record<string, number | null>;
  /** Events applied over time (ms since the first projected event), at most SERIES_POINTS samples. */
  readonly series: readonly SeriesPoint[];
  /** How the machine's CPU time went from the start of the processes to the last projected event (see host-cpu). */
  readonly cpu: CpuShares | null;
}

/** Enough for a chart of a minutes-long run; a 50 ms poll would give thousands. */
const SERIES_POINTS = 400;

/**
 * Projects an already-filled event store from scratch with ingest and `projectors` projector
 * processes, timing from the first to the last projected event, then verifies. The read
 * models, checkpoints, slot and queues are reset first, so every run does the same work.
 */
export async function runCatchUp(options: { databaseUrl: string; redis: Redis; redisPrefix: string; slot: string; partitions: number; projectors: number; timeoutMs: number; env: Record<string, string | undefined>; heapMb?: number; onProgress?: OnProgress }): Promise<CatchUpResult> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  const db = createDb(pool);
  try {
    // The dead-letter store goes too: a projection from scratch decides afresh what to park (skips stay: they are decisions about events).
    await pool.query('truncate account_projections, transaction_projections, projection_checkpoints, ingest_state, parked_accounts, dead_letter_events');
    await pool.query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1', [options.slot]);
    await deleteKeysWithPrefix(options.redis, options.redisPrefix);
    const total = Number((await pool.query<{ n: string }>('select count(*) as n from events')).rows[0]!.n);
    const pipeline = await startPipeline({ ...options, logPrefix: '' });
    try {
      const cpuBefore = readCpuTimes();
      const { firstAt, lastAt, series } = await timeProjection(pool, total, options.timeoutMs, () => pipeline.firstExited() === undefined, options.onProgress);
      const seconds = (lastAt - firstAt) / 1000;
      const cpu = cpuShares(cpuBefore, readCpuTimes());
      // Read while the processes live: VmHWM is the high-water mark of their whole life.
      const peakRssBytes = pipeline.byName((child) => readPeakRss(child.pid));
      const report = await verifyReadModels(db);
      return { projectors: options.projectors, events: total, seconds, eventsPerSecond: total / seconds, verified: report.total === 0, mismatches: report.total, peakRssBytes, series: downsample(series, SERIES_POINTS), cpu };
    } finally {
      await pipeline.stop();
      await pool.query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1 and not active', [options.slot]);
      // The last completed jobs of every queue would otherwise stay behind (kept for dedupe).
      await deleteKeysWithPrefix(options.redis, options.redisPrefix);
    }
  } finally {
    await db.destroy();
  }
}

/** Polls the applied count until it reaches `total`, keeping every poll from the first projected event on. */
async function timeProjection(pool: pg.Pool, total: number, timeoutMs: number, alive: () => boolean, onProgress?: OnProgress): Promise<{ firstAt: number; lastAt: number; series: SeriesPoint[] }> {
  const deadline = Date.now() + timeoutMs;
  let firstAt = 0;
  const series: SeriesPoint[] = [];
  for (;;) {
    const applied = Number((await pool.query<{ n: string }>('select coalesce(sum(events_applied), 0) as n from projection_checkpoints')).rows[0]!.n);
    const now = Date.now();
    if (applied > 0 && firstAt === 0) firstAt = now;
    if (firstAt !== 0) series.push({ tMs: now - firstAt, applied });
    onProgress?.(applied, total);
    if (applied >= total) return { firstAt: firstAt || now, lastAt: now, series };
    if (now > deadline) throw new Error(`catch-up timed out: ${applied} of ${total} events projected`);
    if (!alive()) throw new Error(`catch-up: a pipeline process exited early (${applied} of ${total} events projected); see .ledgerflow/bench/*.log`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
