import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { partitionOf, partitionQueueName } from '@ledgerflow/cdc-core';
import { METRIC } from '@ledgerflow/metrics';
import { promtoolCheck, startOtlpReceiver, type OtlpReceiver } from '@ledgerflow/metrics/node';
import { createTestDatabase, freePort, startPrivateRedis, waitFor, type PrivateRedis, type TestDatabase } from '@ledgerflow/testkit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENQUEUE_SPAN } from './enqueue-span';
import { EventFactory, insertEvents, randomTraceparent } from './testing/fixtures';
import { byPartition, parseSamples, samplesOf, valueOf, type Sample } from './testing/prometheus';

/**
 * The real ingest process (`node --require tsx/cjs src/main.ts`) with a Redis of this file's
 * own: proves main.ts wires telemetry, the ops server, the gauges and the trace exporter.
 */
const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.resolve(__dirname, 'main.ts');
const PARTITIONS = 4;
const prefix = `lftest-ingest-obs-${randomBytes(4).toString('hex')}`;
let tdb: TestDatabase;
let redis: PrivateRedis;
let receiver: OtlpReceiver;
let child: ChildProcess;
let ops: string;
const output: string[] = [];
const traceparents: string[] = [];

beforeAll(async () => {
  [tdb, redis, receiver] = await Promise.all([createTestDatabase('ingest_observability'), startPrivateRedis(), startOtlpReceiver()]);
  const port = await freePort();
  ops = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    DATABASE_URL: tdb.url,
    REDIS_URL: redis.url,
    LEDGERFLOW_PARTITIONS: String(PARTITIONS),
    LEDGERFLOW_REDIS_PREFIX: prefix,
    LEDGERFLOW_INGEST_OPS_PORT: String(port),
    LEDGERFLOW_INGEST_METRICS_POLL_MS: '200',
    LEDGERFLOW_INGEST_REDIS_CHECK_MS: '200',
    LEDGERFLOW_INGEST_RETRY_INITIAL_MS: '100',
    LEDGERFLOW_INGEST_RETRY_MAX_MS: '1000',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_SERVICE_NAME: 'ledgerflow-ingest-e2e',
    LOG_LEVEL: 'warn',
  };
  child = spawn(process.execPath, ['--require', 'tsx/cjs', MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  await waitFor(`ingest to be ready (output: ${output.join('')})`, async () => (await fetch(`${ops}/readyz`).catch(() => undefined))?.status === 200, 30_000, 100);
});

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await receiver?.close();
  await tdb?.drop();
  await redis?.stop();
});

const scrape = async (): Promise<Sample[]> => parseSamples(await (await fetch(`${ops}/metrics`)).text());
const total = (samples: readonly Sample[], name: string) => samplesOf(samples, name).reduce((sum, s) => sum + s.value, 0);
const enqueuedTotal = (samples: readonly Sample[]) => total(samples, `${METRIC.eventsEnqueued}_total`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const exited = (c: ChildProcess) => new Promise<number | null>((resolve) => (c.exitCode !== null ? resolve(c.exitCode) : c.once('exit', resolve)));

/** Per partition: how many events the store holds and the highest position. */
async function storeByPartition(): Promise<Map<number, { count: number; max: number }>> {
  const { rows } = await tdb.pool.query<{ stream_id: string; n: number; max: string }>('select stream_id, count(*)::int as n, max(global_position)::text as max from events group by stream_id');
  const out = new Map<number, { count: number; max: number }>();
  for (const r of rows) {
    const p = partitionOf(r.stream_id, PARTITIONS);
    const entry = out.get(p) ?? { count: 0, max: 0 };
    out.set(p, { count: entry.count + r.n, max: Math.max(entry.max, Number(r.max)) });
  }
  return out;
}

/** Waiting jobs per partition queue, read from Redis. */
async function waitingJobs(): Promise<Map<number, number>> {
  const connection = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  try {
    const out = new Map<number, number>();
    for (let p = 0; p < PARTITIONS; p++) {
      const queue = new Queue(partitionQueueName(p), { connection, prefix });
      out.set(p, (await queue.getJobCounts('wait')).wait ?? 0);
      await queue.close();
    }
    return out;
  } finally {
    connection.disconnect();
  }
}

/** Inserts small transactions, each with a trace context of its own, until stopped. */
function continuousWriter() {
  const factory = new EventFactory(40);
  let running = true;
  let transactions = 0;
  const done = (async () => {
    while (running) {
      const traceparent = randomTraceparent();
      traceparents.push(traceparent);
      await insertEvents(tdb.pool, factory.batch(1 + (transactions++ % 3)), { traceparent });
      await sleep(2); // a few hundred commands a second: every span is exported, none dropped
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
    },
  };
}

describe('ingest process observability', () => {
  it('exports the lag ladder and it moves while events arrive; counters and queue depths match the store and Redis', async () => {
    const writer = continuousWriter();
    const wal = (s: readonly Sample[]) => ({
      head: valueOf(s, METRIC.walHeadPosition) ?? 0,
      read: valueOf(s, METRIC.walReadPosition) ?? 0,
      confirmed: valueOf(s, METRIC.walConfirmedPosition) ?? 0,
    });
    let first: Sample[] | undefined;
    let second: Sample[] | undefined;
    try {
      first = await waitFor('events enqueued', async () => {
        const s = await scrape();
        return enqueuedTotal(s) >= 100 && wal(s).head > 0 ? s : undefined;
      }, 20_000, 100);
      await sleep(500); // a few polls of the WAL head and queue depths
      // Waits for every rung to move (a test that never sees them move times out here).
      const moved = (s: readonly Sample[]) =>
        [METRIC.readPosition, METRIC.enqueuedPosition].every((rung) => [0, 1, 2, 3].every((p) => (byPartition(s, rung).get(p) ?? 0) > (byPartition(first!, rung).get(p) ?? 0))) &&
        (['head', 'read', 'confirmed'] as const).every((key) => wal(s)[key] > wal(first!)[key]);
      second = await waitFor('every rung to move', async () => {
        const s = await scrape();
        return enqueuedTotal(s) >= enqueuedTotal(first!) + 100 && moved(s) ? s : undefined;
      }, 20_000, 100);
    } finally {
      await writer.stop();
    }
    // Moving: every rung is higher in the second scrape, for every partition.
    for (const rung of [METRIC.readPosition, METRIC.enqueuedPosition]) {
      const before = byPartition(first, rung);
      const after = byPartition(second, rung);
      expect([...after.keys()].sort(), rung).toEqual([0, 1, 2, 3]);
      for (const [p, position] of after) expect(position, `${rung} of p${p}`).toBeGreaterThan(before.get(p) ?? 0);
    }
    for (const key of ['head', 'read', 'confirmed'] as const) expect(wal(second)[key], key).toBeGreaterThan(wal(first)[key]);

    // Settled: every stored event read and enqueued once; the gauges stand at the store's head.
    const store = await storeByPartition();
    const stored = [...store.values()].reduce((n, e) => n + e.count, 0);
    const jobs = await waitingJobs();
    const settled = await waitFor('the gauges to settle', async () => {
      const s = await scrape();
      const depths = byPartition(s, METRIC.queueDepth);
      const caughtUp = enqueuedTotal(s) === stored && total(s, `${METRIC.eventsRead}_total`) === stored;
      const w = wal(s);
      return caughtUp && [...jobs].every(([p, n]) => depths.get(p) === n) && w.head >= w.read ? s : undefined;
    }, 10_000, 100);
    for (const [p, { count, max }] of store) {
      const partition = { partition: String(p) };
      expect(valueOf(settled, `${METRIC.eventsRead}_total`, partition)).toBe(count);
      expect(valueOf(settled, `${METRIC.eventsEnqueued}_total`, partition)).toBe(count);
      expect(valueOf(settled, METRIC.readPosition, partition)).toBe(max);
      expect(valueOf(settled, METRIC.enqueuedPosition, partition)).toBe(max);
      // No projector runs: every job ingest added is still waiting.
      expect(valueOf(settled, METRIC.queueDepth, partition)).toBe(valueOf(settled, `${METRIC.jobsEnqueued}_total`, partition));
      // Both rungs describe the same newest event: it was enqueued after it was read.
      const readLag = valueOf(settled, METRIC.readLag, partition)!;
      expect(readLag).toBeGreaterThanOrEqual(0);
      expect(valueOf(settled, METRIC.enqueuedLag, partition)).toBeGreaterThanOrEqual(readLag);
      expect(valueOf(settled, METRIC.enqueuedLag, partition)).toBeLessThan(30);
    }
    const w = wal(settled);
    expect(w.head).toBeGreaterThanOrEqual(w.read);
    expect(w.read).toBeGreaterThanOrEqual(w.confirmed);
    expect(valueOf(settled, METRIC.slotRetainedWal)).toBeGreaterThan(0);
    expect(valueOf(settled, `${METRIC.enqueueDuration}_count`)).toBeGreaterThan(0);
    expect(samplesOf(settled, `${METRIC.ingestEventsFailed}_total`)).toEqual([]);
    expect(samplesOf(settled, METRIC.readPosition).every((s) => s.labels['app'] === 'ingest')).toBe(true);
  });

  it('/metrics passes `promtool check metrics`', async () => {
    const lint = promtoolCheck(await (await fetch(`${ops}/metrics`)).text());
    if (lint.status === 'missing') {
      if (process.env['CI']) throw new Error('promtool is not on PATH: CI must install it (Debian package "prometheus", tools/prepare.sh)');
      return console.warn('promtool is not on PATH: /metrics not linted (install the Debian package "prometheus")');
    }
    expect(lint.status, lint.output).toBe('passed');
  });

  it('/readyz turns 503 naming Redis while it is unreachable and 200 once it is back; /healthz stays 200', async () => {
    const ready = await fetch(`${ops}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', reasons: [] });
    await redis.stop();
    const down = await waitFor('/readyz to say not ready', async () => {
      const res = await fetch(`${ops}/readyz`);
      return res.status === 503 ? ((await res.json()) as { status: string; reasons: string[] }) : undefined;
    }, 10_000, 50);
    expect(down.status).toBe('not_ready');
    expect(down.reasons.some((r) => r.startsWith('redis: '))).toBe(true);
    expect(down.reasons.some((r) => r.startsWith('postgres: '))).toBe(false);
    const health = await fetch(`${ops}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${ops}/metrics`)).status).toBe(200);

    await redis.start();
    await waitFor('/readyz to say ready again', async () => (await fetch(`${ops}/readyz`)).status === 200, 20_000, 100);
    expect((await fetch(`${ops}/healthz`)).status).toBe(200);
  });

  it('traces each enqueue, linked to the traces of its events, and stops cleanly on SIGTERM', async () => {
    child.kill('SIGTERM');
    expect(await exited(child), output.join('')).toBe(0);
    const spans = receiver.spans().filter((s) => s.serviceName === 'ledgerflow-ingest-e2e');
    const enqueues = spans.filter((s) => s.name === ENQUEUE_SPAN);
    expect(enqueues.length).toBeGreaterThan(0);
    const linked = new Set(enqueues.flatMap((s) => s.links.map((l) => `00-${l.traceId}-${l.spanId}-01`)));
    const missing = traceparents.filter((t) => !linked.has(t));
    expect(missing, `${missing.length} of ${traceparents.length} traces not linked`).toEqual([]);
    // One span per partition batch, naming its queue (each of its jobs carries the span's context).
    for (const s of enqueues) expect(s.attributes['messaging.destination.name']).toBe(`p${String(s.attributes['ledgerflow.partition'])}`);
    // Probes and scrapes make no spans.
    expect(spans.some((s) => ['/readyz', '/healthz', '/metrics'].includes(String(s.attributes['url.path'] ?? s.attributes['http.target'])))).toBe(false);
  });
});
