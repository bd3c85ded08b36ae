import { createDb, verifyReadModels } from '@ledgerflow/sinks';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { recreateDatabase } from '../shared/database-admin';
import { migrateDatabase } from '../shared/migrate-database';
import { slotStreams } from '../shared/slot-streams';
import { deleteKeysWithPrefix } from '../shared/redis-keys';
import { lagBuckets, splitAtCommit, type LagBucket } from './lag-series';
import type { LagPercentiles } from './lag-stats';
import { LagTracker } from './lag-tracker';
import type { OnProgress } from './progress-bar';
import type { CpuShares } from './host-cpu';
import { generateLedger } from './ledger-generator';
import { gcPausesOverWindow, scrapeGcPauses } from './gc-pause-scrape';
import type { GcPauses } from './gc-pauses';
import { readPeakRss } from './peak-rss';
import { startPipeline } from './pipeline-processes';
import { readProcessCpuSeconds } from './process-cpu';
import { startCpuWindow } from './run-cpu';
import { appendAtRate } from './steady-appender';
import { findSurroundingPids } from './surrounding-processes';

/** One steady-state run at a fixed append rate. */
export interface SteadyResult {
  readonly rate: number;
  /** Projector processes of the run. */
  readonly projectors: number;
  readonly achievedRate: number;
  readonly seconds: number;
  readonly events: number;
  /** Lag of the events committed after the warm-up: the steady state proper. */
  readonly lagMs: LagPercentiles;
  /** The events committed in the first `seconds` of the run (JIT, pools, projectors settling). */
  readonly warmup: { readonly seconds: number; readonly events: number; readonly lagMs: LagPercentiles };
  /** Lag and throughput per second of observation, from the first commit. */
  readonly series: readonly LagBucket[];
  readonly verified: boolean;
  readonly mismatches: number;
  readonly peakRssBytes: Record<string, number | null>;
  /** How the machine's CPU time went while appending and until the last event was seen (see host-cpu). */
  readonly cpu: CpuShares | null;
  /** Each pipeline process's CPU over the same window, % of one core (`ingest`, `projector-0`, …). */
  readonly processCpuPercent: Record<string, number>;
  /**
   * What else the machine spent over the same window, % of one core: the walsender, the
   * appender's and lag poller's PostgreSQL backends, this bench process, Redis (each where it
   * runs on this machine) and `other` (the pipeline's PostgreSQL backends, autovacuum, the
   * kernel…): on one machine the load generator and the measurement compete with the pipeline.
   */
  readonly surroundingCpuPercent: Record<string, number>;
  /**
   * Each pipeline process's garbage-collection pauses over the same window (from its own
   * metrics): the events it held waited them out — much of the lag tail on a busy machine.
   */
  readonly gcPauses: Record<string, GcPauses>;
}

interface SteadyOptions {
  readonly databaseUrl: string;
  readonly redis: Redis;
  readonly redisPrefix: string;
  readonly slot: string;
  readonly partitions: number;
  readonly projectors: number;
  readonly accounts: number;
  readonly seed: number;
  readonly rate: number;
  readonly seconds: number;
  /** Seconds from the first commit whose events count as warm-up, not steady state. */
  readonly warmupSeconds: number;
  readonly env: Record<string, string | undefined>;
  /** Heap limit of the app processes (see DEFAULT_APP_HEAP_MB). */
  readonly heapMb?: number;
  /** Events projected so far out of those the run appends. */
  readonly onProgress?: OnProgress;
}

const POLL_MS = 5;

/**
 * Runs the live pipeline (ingest + projectors) on a fresh, empty event store while an appender
 * commits a seeded ledger at a fixed rate, measuring every event's commit-to-projection lag
 * (see LagTracker); then waits for the tail and verifies. The events committed in the first
 * `warmupSeconds` are reported apart: the pipeline is still starting then.
 */
export async function runSteadyState(options: SteadyOptions): Promise<SteadyResult> {
  await recreateDatabase(options.databaseUrl);
  await migrateDatabase(options.databaseUrl);
  await deleteKeysWithPrefix(options.redis, options.redisPrefix);
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  const db = createDb(pool);
  // Their own connections, so their backends' CPU can be told apart (surrounding-processes).
  const appender = new pg.Client({ connectionString: options.databaseUrl });
  const poll = new pg.Client({ connectionString: options.databaseUrl });
  const pipeline = await startPipeline({ ...options, logPrefix: 'steady-' });
  try {
    await Promise.all([appender.connect(), poll.connect()]);
    await waitForSlot(pool, options.slot, 60_000);
    await waitForFleet(pool, options.projectors, options.partitions, 60_000);
    const surroundingPids = await findSurroundingPids({ pool, slot: options.slot, appender, poller: poll, redis: options.redis });
    const total = Math.round(options.rate * options.seconds);
    const tracker = new LagTracker(total);
    let appending = true;
    const more = () => {
      const dead = pipeline.firstExited();
      // A crashed process would otherwise only show as a timeout two minutes later.
      if (dead) throw new Error(`steady state: a pipeline process exited early (${dead.exitCode ?? dead.signalCode}); see .ledgerflow/bench/steady-*.log`);
      return appending || tracker.observedCount < tracker.appendedCount;
    };
    const poller = pollCheckpoints(poll, tracker, more, Date.now() + options.seconds * 1000 + 120_000, (done) => options.onProgress?.(done, total));
    poller.catch(() => undefined); // awaited below; this only keeps an early failure from being unhandled meanwhile
    const gcBefore = await scrapeGcPauses(pipeline.metricsUrls);
    const endCpuWindow = startCpuWindow(() => pipeline.byName((child) => readProcessCpuSeconds(child.pid)), surroundingPids);
    const startedAt = Date.now();
    const achievedRate = await appendAtRate(appender, generateLedger({ accounts: options.accounts, events: total, seed: options.seed }), { rate: options.rate, total, partitions: options.partitions, tracker });
    const seconds = (Date.now() - startedAt) / 1000;
    appending = false;
    await poller;
    const runCpu = endCpuWindow();
    const gcPauses = gcPausesOverWindow(gcBefore, await scrapeGcPauses(pipeline.metricsUrls));
    const peakRssBytes = pipeline.byName((child) => readPeakRss(child.pid));
    const report = await verifyReadModels(db);
    const { before, after } = splitAtCommit(tracker.observedMs, tracker.lags, options.warmupSeconds * 1000);
    const warmup = { seconds: options.warmupSeconds, events: before.events, lagMs: before.lagMs };
    const series = lagBuckets(tracker.observedMs, tracker.lags);
    return { rate: options.rate, projectors: options.projectors, achievedRate, seconds, events: tracker.appendedCount, lagMs: after.lagMs, warmup, series, verified: report.total === 0, mismatches: report.total, peakRssBytes, ...runCpu, gcPauses };
  } finally {
    await pipeline.stop();
    await pool.query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1 and not active', [options.slot]).catch(() => undefined);
    await Promise.allSettled([appender.end(), poll.end()]);
    await db.destroy();
    await deleteKeysWithPrefix(options.redis, options.redisPrefix);
  }
}

/** Events committed before ingest streams would reach the projector by its catch-up scan (and some by the stream too): start appending once it streams. */
async function waitForSlot(pool: pg.Pool, slot: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await slotStreams(pool, slot)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`steady state: the ingest did not open slot ${slot} within ${timeoutMs / 1000} s`);
}

/**
 * Steady state means the pipeline is running: every projector has joined and the partitions
 * are shared fairly. Appending before that would time the fleet's start-up (processes
 * booting, locks taken, shares rebalanced), which is not what this run measures.
 */
async function waitForFleet(pool: pg.Pool, projectors: number, partitions: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await pool.query<{ members: number; owned: number; most: number; least: number }>(
      `select count(*)::int as members, coalesce(sum(cardinality(partitions)), 0)::int as owned,
              coalesce(max(cardinality(partitions)), 0)::int as most, coalesce(min(cardinality(partitions)), 0)::int as least
       from projector_members where heartbeat_at > now() - interval '5 seconds'`,
    );
    const f = r.rows[0]!;
    if (f.members === projectors && f.owned === partitions && f.most - f.least <= 1) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`steady state: the ${projectors} projector(s) did not share the ${partitions} partitions within ${timeoutMs / 1000} s`);
}

async function pollCheckpoints(client: pg.ClientBase, tracker: LagTracker, more: () => boolean, deadline: number, onProgress: (observed: number) => void): Promise<void> {
  while (more()) {
    if (Date.now() > deadline) throw new Error(`steady state: ${tracker.appendedCount - tracker.observedCount} events still unprojected at the deadline`);
    // Named: 200 polls a second are part of the load being measured; parsed once, they cost less.
    const r = await client.query<{ partition: number; position: string }>({ name: 'lf_bench_checkpoints', text: `select partition, position from projection_checkpoints where projection = $1`, values: ['accounts'] });
    tracker.observe(new Map(r.rows.map((row) => [row.partition, Number(row.position)])), Date.now());
    onProgress(tracker.observedCount);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
