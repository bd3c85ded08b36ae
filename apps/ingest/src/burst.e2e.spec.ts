import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeBatch, partitionQueueName } from '@ledgerflow/cdc-core';
import { METRIC } from '@ledgerflow/metrics';
import { createTestDatabase, freePort, startPrivateRedis, waitFor, type PrivateRedis, type TestDatabase } from '@ledgerflow/testkit';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKLOG_STATES, backlogOf } from './ops-stats';
import { parseSamples, samplesOf } from './testing/prometheus';

/**
 * Issue 5: a burst with no projector. The real ingest process (so its RSS is the process's,
 * read from /proc/<pid>/status VmRSS, sampled every 50 ms) must pause once the queues hold
 * MAX_QUEUED_JOBS, stay there with bounded memory, keep its replication connection alive
 * through a pause longer than wal_sender_timeout (set to 3 s for its connections), and resume
 * by itself once the queues are drained, enqueueing every event at least once.
 */
const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.resolve(__dirname, 'main.ts');
const PARTITIONS = 4;
const MAX_QUEUED_JOBS = 40;
// LEDGERFLOW_BURST_EVENTS=1000000 runs the full million-event burst of issue 5 (about 2 minutes).
const EVENTS = Number(process.env['LEDGERFLOW_BURST_EVENTS'] ?? 300_000);
const CHUNK = 20_000;
const STREAMS = 2000;
/** Peak VmRSS of the ingest process allowed through the burst: issue 6's bound for every process. */
const RSS_BOUND_BYTES = 256 * 1024 * 1024;
/** The heap limit `ledgerflow ingest` runs the app with (DEFAULT_APP_HEAP_MB in apps/cli; apps cannot import the CLI). */
const HEAP_FLAG = '--max-old-space-size=160';
const prefix = `lftest-ingest-burst-${randomBytes(4).toString('hex')}`;
let tdb: TestDatabase;
let redis: PrivateRedis;
let child: ChildProcess;
let ops: string;
let sampler: NodeJS.Timeout | undefined;
let peakRss = 0;
let readyRss = 0;
const output: string[] = [];

const vmRss = (pid: number): number => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const metric = async (name: string): Promise<number> => samplesOf(parseSamples(await (await fetch(`${ops}/metrics`)).text()), name).reduce((sum, s) => sum + s.value, 0);

beforeAll(async () => {
  [tdb, redis] = await Promise.all([createTestDatabase('ingest_burst'), startPrivateRedis()]);
  const port = await freePort();
  ops = `http://127.0.0.1:${port}`;
  const url = new URL(tdb.url);
  url.searchParams.set('options', '-c wal_sender_timeout=3000');
  const env = {
    ...process.env,
    DATABASE_URL: url.toString(),
    REDIS_URL: redis.url,
    LEDGERFLOW_PARTITIONS: String(PARTITIONS),
    LEDGERFLOW_REDIS_PREFIX: prefix,
    LEDGERFLOW_INGEST_OPS_PORT: String(port),
    LEDGERFLOW_INGEST_METRICS_POLL_MS: '200',
    LEDGERFLOW_INGEST_MAX_QUEUED_JOBS: String(MAX_QUEUED_JOBS),
    LEDGERFLOW_INGEST_BACKPRESSURE_POLL_MS: '100',
    LEDGERFLOW_INGEST_STATUS_INTERVAL_MS: '500',
    LOG_LEVEL: 'info',
  };
  child = spawn(process.execPath, [HEAP_FLAG, '--require', 'tsx/cjs', MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  await waitFor(`ingest to be ready (output: ${output.join('')})`, async () => (await fetch(`${ops}/readyz`).catch(() => undefined))?.status === 200, 30_000, 100);
  readyRss = vmRss(child.pid!);
  sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, vmRss(child.pid!));
    } catch {
      // the process is gone; the test fails elsewhere
    }
  }, 50);
});

afterAll(async () => {
  clearInterval(sampler);
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await tdb?.drop();
  await redis?.stop();
});

/** Inserts the burst: STREAMS accounts, chunk by chunk, versions consecutive per account. */
async function insertBurst(): Promise<void> {
  const streams = Array.from({ length: STREAMS }, () => randomUUID());
  const perStream = CHUNK / STREAMS;
  for (let chunk = 0; chunk < EVENTS / CHUNK; chunk++) {
    await tdb.pool.query(
      `insert into events (event_id, stream_id, version, type, data, metadata)
       select gen_random_uuid(), s.id, v.version,
              case when v.version = 1 then 'AccountCreated' else 'MoneyDeposited' end,
              case when v.version = 1 then jsonb_build_object('accountId', s.id, 'ownerName', 'burst', 'initialBalance', '100.00')
                   else jsonb_build_object('accountId', s.id, 'amount', '1.00', 'transactionId', gen_random_uuid()) end,
              '{}'::jsonb
       from unnest($1::uuid[]) as s(id), generate_series($2::int, $3::int) as v(version)`,
      [streams, chunk * perStream + 1, (chunk + 1) * perStream],
    );
  }
}

async function queuedJobs(connection: Redis): Promise<number> {
  let total = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    const queue = new Queue(partitionQueueName(p), { connection, prefix });
    total += backlogOf(await queue.getJobCounts(...BACKLOG_STATES));
    await queue.close();
  }
  return total;
}

describe('a burst with no projector', () => {
  it('pauses at the queue bound with bounded memory, survives the pause, and resumes to enqueue everything', async () => {
    const startedAt = Date.now();
    await insertBurst();
    const insertedMs = Date.now() - startedAt;
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    try {
      await waitFor('ingest to pause', async () => (await metric(METRIC.ingestPaused)) === 1, 30_000, 100);
      // Hold the pause for twice wal_sender_timeout: only the status updates keep the walsender alive.
      const depths: number[] = [];
      for (let i = 0; i < 12; i++) {
        depths.push(await queuedJobs(connection));
        await sleep(500);
      }
      const enqueuedWhilePaused = await metric(`${METRIC.eventsEnqueued}_total`);
      // One flush may land after the bound is seen (≤ maxPendingEvents / events per job + partitions jobs).
      expect(Math.max(...depths)).toBeLessThanOrEqual(MAX_QUEUED_JOBS + 40);
      expect(Math.min(...depths)).toBeGreaterThanOrEqual(MAX_QUEUED_JOBS / 2);
      expect(enqueuedWhilePaused).toBeLessThan(EVENTS / 2);
      expect(await metric(METRIC.ingestPaused)).toBe(1);

      // Drain: consume every job (as a projector would), recording each event id.
      const seen = new Set<string>();
      const workers = Array.from({ length: PARTITIONS }, (_, p) => new Worker(partitionQueueName(p), async (job) => {
        for (const event of decodeBatch(job.data).events) seen.add(event.eventId);
      }, { connection, prefix, concurrency: 20 }));
      try {
        await waitFor(`every event enqueued (seen ${seen.size})`, async () => seen.size === EVENTS, 90_000, 200);
      } finally {
        await Promise.all(workers.map((w) => w.close()));
      }
      const logs = output.join('');
      expect(logs).toContain('ingest paused');
      expect(logs).toContain('ingest resumed');
      // No session failed: the walsender did not time out while ingest was paused.
      expect(logs).not.toContain('ingest session failed');
      expect(peakRss).toBeGreaterThan(0);
      expect(peakRss).toBeLessThan(RSS_BOUND_BYTES);
      console.log(JSON.stringify({ events: EVENTS, readyRssMiB: Math.round(readyRss / 1048576), peakRssMiB: Math.round(peakRss / 1048576), insertedMs, totalMs: Date.now() - startedAt, maxDepth: Math.max(...depths), enqueuedWhilePaused }));
    } finally {
      connection.disconnect();
    }
  }, 180_000);
});
