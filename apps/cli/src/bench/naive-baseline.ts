import type { StoredEvent } from '@ledgerflow/cdc-core';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { deleteKeysWithPrefix } from '../shared/redis-keys';
import { downsample, type SeriesPoint } from './bench-series';
import type { OnProgress } from './progress-bar';
import { applyEventNaively } from './naive-apply';

/** One timed drain of the naive architecture. */
export interface NaiveRun {
  readonly concurrency: number;
  readonly events: number;
  readonly failed: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** Jobs finished over time (ms since the worker started), at most SERIES_POINTS samples. */
  readonly series: readonly SeriesPoint[];
}

/** As the catch-up's series: enough for a chart. */
const SERIES_POINTS = 400;
/** Sampling the in-process counter costs nothing next to the jobs; 50 ms matches the catch-up's poll. */
const SAMPLE_MS = 50;

/** The naive baseline: the concurrency sweep and the full run with its winner. */
export interface BaselineResult {
  readonly sweep: NaiveRun[];
  readonly best: NaiveRun;
}

interface BaselineOptions {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly redisPrefix: string;
  readonly concurrencies: readonly number[];
  /** How many events (from the start of the store) each sweep step drains. */
  readonly sweepEvents: number;
  /** Per-step progress for the terminal. */
  readonly onRun?: (run: NaiveRun, phase: 'sweep' | 'full') => void;
  /** Jobs finished so far in the run under way, sampled with the series. */
  readonly onProgress?: OnProgress;
}

const QUEUE = 'naive-events';

type JobEvent = Omit<StoredEvent, 'position'> & { position: string };

/**
 * Runs the naive baseline on `events`: a short sweep over worker concurrencies on a prefix of
 * the events, then the full events with the best concurrency. The queue is filled before the
 * worker starts and only the drain is timed, which favours the baseline (its producer's cost
 * is not counted).
 */
export async function runNaiveBaseline(events: readonly StoredEvent[], options: BaselineOptions): Promise<BaselineResult> {
  const sweep: NaiveRun[] = [];
  const sample = events.slice(0, Math.min(events.length, options.sweepEvents));
  for (const concurrency of options.concurrencies) {
    const run = await drainOnce(sample, concurrency, options);
    options.onRun?.(run, 'sweep');
    sweep.push(run);
  }
  const winner = sweep.reduce((a, b) => (b.eventsPerSecond > a.eventsPerSecond ? b : a));
  const best = sample.length === events.length ? winner : await drainOnce(events, winner.concurrency, options);
  if (best !== winner) options.onRun?.(best, 'full');
  return { sweep, best };
}

async function drainOnce(events: readonly StoredEvent[], concurrency: number, options: BaselineOptions): Promise<NaiveRun> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: concurrency });
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue<JobEvent>(QUEUE, { connection, prefix: options.redisPrefix });
  try {
    await pool.query('truncate account_projections, transaction_projections');
    await deleteKeysWithPrefix(connection, options.redisPrefix);
    await fillQueue(queue, events);
    return await timeDrain(pool, options, concurrency, events.length);
  } finally {
    await queue.close();
    await deleteKeysWithPrefix(connection, options.redisPrefix);
    connection.disconnect();
    await pool.end();
  }
}

async function fillQueue(queue: Queue<JobEvent>, events: readonly StoredEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    await queue.addBulk(
      events.slice(i, i + 1000).map((e) => ({ name: 'event', data: { ...e, position: e.position.toString() }, opts: { removeOnComplete: true, removeOnFail: 1000, attempts: 1 } })),
    );
  }
}

/** Starts the worker and resolves when every job has completed or failed. */
async function timeDrain(pool: pg.Pool, options: BaselineOptions, concurrency: number, total: number): Promise<NaiveRun> {
  let done = 0;
  let failed = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const startedAt = Date.now();
  const series: SeriesPoint[] = [{ tMs: 0, applied: 0 }];
  const sampler = setInterval(() => {
    series.push({ tMs: Date.now() - startedAt, applied: done });
    options.onProgress?.(done, total);
  }, SAMPLE_MS);
  const workerConnection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker<JobEvent>(QUEUE, (job) => applyEventNaively(pool, { ...job.data, position: BigInt(job.data.position) }), {
    connection: workerConnection,
    prefix: options.redisPrefix,
    concurrency,
  });
  const count = () => {
    done++;
    if (done === total) finish();
  };
  worker.on('completed', count);
  worker.on('failed', () => {
    failed++;
    count();
  });
  if (total === 0) finish();
  await finished;
  const seconds = (Date.now() - startedAt) / 1000;
  clearInterval(sampler);
  series.push({ tMs: seconds * 1000, applied: total });
  await worker.close();
  workerConnection.disconnect();
  return { concurrency, events: total, failed, seconds, eventsPerSecond: total / seconds, series: downsample(series, SERIES_POINTS) };
}
