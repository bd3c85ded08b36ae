import { createRequire } from 'node:module';
import { METRIC } from '@ledgerflow/metrics';
import { createOpsServer, promtoolCheck, startTelemetry, type OpsServer, type Telemetry } from '@ledgerflow/metrics/node';
import { readEventsAfter } from '@ledgerflow/sinks';
import { createTestDatabase, startPrivateRedis, testRedisPrefix, waitFor, type PrivateRedis, type TestDatabase } from '@ledgerflow/testkit';
import type { Queue } from 'bullmq';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjector, type Projector } from './projector';
import { accountOn, enqueue, eventsApplied, openQueues, testProjectorConfig } from './testing/fleet-fixtures';
import { appendEvents, created, deposited } from './testing/ledger-fixtures';
import { parsePrometheusText, sampleValue, type PromSample } from './testing/prometheus-text';

/** The projector's metrics and readiness, scraped from its ops server while it works (issue 4). */
const P = 2;
const redisKeys = testRedisPrefix('projector-observability');
let redis: PrivateRedis;
let tdb: TestDatabase;
let telemetry: Telemetry;
let projector: Projector;
let ops: OpsServer;
let queues: Queue[] = [];

beforeAll(async () => {
  telemetry = startTelemetry({ serviceName: 'ledgerflow-projector', app: 'projector', log: () => undefined });
  // main.ts loads pg and ioredis after telemetry through require, which lets the instrumentations
  // patch them; vitest imports modules as ESM, which require hooks never see: do it by hand.
  createRequire(__filename)('pg');
  createRequire(__filename)('ioredis');
  redis = await startPrivateRedis();
  tdb = await createTestDatabase('projector_observability');
  const config = testProjectorConfig(tdb.url, redisKeys.prefix, P, { REDIS_URL: redis.url });
  queues = openQueues(redisKeys.prefix, P, redis.url);
  for (const q of queues) q.on('error', () => undefined); // the Redis of this file is stopped on purpose
  projector = await startProjector(config, { logger: pino({ level: 'silent' }), tracer: telemetry.tracer });
  ops = await createOpsServer({ port: 0, readiness: () => projector.readiness(), metricsHandler: telemetry.metricsHandler });
});

afterAll(async () => {
  await ops?.close();
  await projector?.stop();
  await Promise.allSettled(queues.map((q) => q.close()));
  await redis?.stop();
  await tdb?.drop();
  await telemetry?.shutdown();
});

const scrape = async (): Promise<PromSample[]> => parsePrometheusText(await (await fetch(`${ops.url}/metrics`)).text());
const value = (samples: readonly PromSample[], name: string, labels: Record<string, string> = {}) => sampleValue(samples, name, { app: 'projector', ...labels });
const sum = (samples: readonly PromSample[], name: string) => samples.filter((s) => s.name === name).reduce((n, s) => n + s.value, 0);

/** Appends and enqueues a deposit (or the opening) for each account, round after round, until stopped. */
function feed(accounts: readonly string[]): { stop(): Promise<number> } {
  let last = 0n;
  let total = 0;
  let stopping = false;
  const loop = (async () => {
    for (let round = 0; !stopping; round++) {
      for (const id of accounts) await appendEvents(tdb.db, id, [round === 0 ? created(id) : deposited(id, '1.00')]);
      const fresh = await readEventsAfter(tdb.db, last, 10_000);
      last = fresh.at(-1)?.position ?? last;
      await enqueue(queues, fresh, 3);
      total += fresh.length;
      await new Promise((r) => setTimeout(r, 30));
    }
  })();
  return {
    async stop() {
      stopping = true;
      await loop;
      return total;
    },
  };
}

const nonDecreasing = (values: readonly number[]) => values.every((v, i) => i === 0 || v >= values[i - 1]!);

describe('projector /metrics', () => {
  it('moves the applied and checkpointed positions and the lag histogram while a workload is applied', async () => {
    const accounts = [accountOn(0, P), accountOn(0, P), accountOn(1, P), accountOn(1, P)];
    const workload = feed(accounts);
    const during: PromSample[][] = [];
    const distinctApplied = (partition: string) => new Set(during.map((s) => value(s, METRIC.appliedPosition, { partition })).filter((v) => v !== undefined)).size;
    // Scrape while the workload runs until both partitions showed three positions (a slow machine just takes longer).
    for (const started = Date.now(); Date.now() - started < 20_000; ) {
      await new Promise((r) => setTimeout(r, 300));
      during.push(await scrape());
      if (Date.now() - started > 2000 && distinctApplied('0') >= 3 && distinctApplied('1') >= 3) break;
    }
    const total = await workload.stop();
    await waitFor('every event to be applied', async () => (await eventsApplied(tdb.db)) === total, 30_000, 100);
    const after = await scrape();

    for (const partition of ['0', '1']) {
      const applied = during.map((s) => value(s, METRIC.appliedPosition, { partition })).filter((v): v is number => v !== undefined);
      const checkpointed = during.map((s) => value(s, METRIC.checkpointedPosition, { partition })).filter((v): v is number => v !== undefined);
      const lagCount = during.map((s) => value(s, `${METRIC.commitToProjectionLag}_count`, { partition }) ?? 0);
      // Moving: several distinct positions while the workload ran, never going back.
      expect(new Set(applied).size, `applied positions of partition ${partition}: ${applied.join(', ')}`).toBeGreaterThanOrEqual(3);
      expect(nonDecreasing(applied) && nonDecreasing(checkpointed) && nonDecreasing(lagCount)).toBe(true);
      expect(lagCount.at(-1)!).toBeGreaterThan(lagCount[0]!);
      expect(value(after, METRIC.appliedLag, { partition })).toBeGreaterThanOrEqual(0);
      expect(value(after, METRIC.checkpointedLag, { partition })).toBeGreaterThanOrEqual(0);
    }
    // At rest, both rungs stand at the checkpoints PostgreSQL holds.
    const checkpoints = await sql<{ partition: number; position: string }>`select partition, position::text as position from projection_checkpoints`.execute(tdb.db);
    for (const c of checkpoints.rows) {
      expect(value(after, METRIC.appliedPosition, { partition: String(c.partition) })).toBe(Number(c.position));
      expect(value(after, METRIC.checkpointedPosition, { partition: String(c.partition) })).toBe(Number(c.position));
    }
    // Every event applied once, each with its lag recorded; the batch series agree with each other.
    expect(sum(after, `${METRIC.eventsApplied}_total`)).toBe(total);
    expect(sum(after, `${METRIC.commitToProjectionLag}_count`)).toBe(total);
    expect(sum(after, `${METRIC.eventsProcessed}_total`)).toBe(sum(after, `${METRIC.batchEvents}_sum`));
    expect(sum(after, `${METRIC.batches}_total`)).toBe(sum(after, `${METRIC.batchDuration}_count`));
    expect(sum(after, `${METRIC.batches}_total`)).toBeGreaterThan(0);
    expect(value(after, METRIC.parkedAccounts)).toBe(0);
  });

  it('passes `promtool check metrics`', async () => {
    const text = await (await fetch(`${ops.url}/metrics`)).text();
    expect(text).toContain(METRIC.commitToProjectionLag); // the scrape holds the projector's series
    const lint = promtoolCheck(text);
    if (lint.status === 'missing') {
      if (process.env['CI']) throw new Error('promtool is not on PATH: CI must install it (Debian package "prometheus", tools/prepare.sh)');
      return console.warn('promtool is not on PATH: /metrics not linted (install the Debian package "prometheus")');
    }
    expect(lint.status, lint.output).toBe('passed');
  });
});

describe('projector /readyz', () => {
  const readyz = async () => {
    const res = await fetch(`${ops.url}/readyz`);
    return { status: res.status, body: (await res.json()) as { status: string; reasons: string[] } };
  };

  it('is ready while PostgreSQL and Redis answer and it owns partitions; 503 naming Redis while Redis is down; ready again after', async () => {
    expect(projector.partitions()).toEqual([0, 1]);
    expect(await readyz()).toEqual({ status: 200, body: { status: 'ready', reasons: [] } });
    expect((await fetch(`${ops.url}/healthz`)).status).toBe(200);

    await redis.stop();
    const down = await waitFor('/readyz to say not ready', async () => {
      const r = await readyz();
      return r.status === 503 ? r : undefined;
    }, 10_000, 100);
    expect(down.body.status).toBe('not_ready');
    expect(down.body.reasons).toHaveLength(1);
    expect(down.body.reasons[0]).toMatch(/^redis: /);
    expect((await fetch(`${ops.url}/healthz`)).status).toBe(200); // liveness does not depend on Redis

    await redis.start();
    await waitFor('/readyz to say ready again', async () => (await readyz()).status === 200, 15_000, 100);
    expect(await readyz()).toEqual({ status: 200, body: { status: 'ready', reasons: [] } });
  });
});
