import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server } from 'node:net';
import type { StoredEvent } from '@ledgerflow/cdc-core';
import { createDb, migrateToLatest, verifyReadModels, type LedgerDatabase } from '@ledgerflow/sinks';
import { freePort, startPrivatePostgres, testRedisPrefix, waitFor, type PrivatePostgres } from '@ledgerflow/testkit';
import type { Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjector, type Projector } from './projector';
import { enqueue, eventsApplied, openQueues, testProjectorConfig } from './testing/fleet-fixtures';
import { appendEvents, created, deposited, streamEvents } from './testing/ledger-fixtures';

const P = 4;
const redis = testRedisPrefix('projector-circuit');
const logger = pino({ level: 'silent' });
let server: PrivatePostgres;
let proxy: Server;
let connections = 0;
let pool: pg.Pool;
let db: Kysely<LedgerDatabase>;
let queues: Queue[] = [];
let projector: Projector | undefined;

/**
 * A TCP relay in front of the private server that counts every connection the projector opens
 * (attempts included: while PostgreSQL is stopped it accepts, fails upstream, and hangs up).
 */
async function startProxy(upstreamPort: number): Promise<number> {
  const port = await freePort();
  proxy = createServer((client) => {
    connections++;
    const upstream = connect(upstreamPort, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  return port;
}

beforeAll(async () => {
  server = await startPrivatePostgres();
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query('create database lf_circuit');
  await admin.end();
  pool = new pg.Pool({ connectionString: server.adminUrl.replace(/\/postgres$/, '/lf_circuit'), max: 2 });
  pool.on('error', () => undefined); // the test's own idle connections die with the stop
  db = createDb(pool);
  const migrated = await migrateToLatest(db as Kysely<unknown>);
  if (migrated.error) throw migrated.error;
  queues = openQueues(redis.prefix, P);
});

afterAll(async () => {
  await projector?.stop();
  await Promise.allSettled(queues.map((q) => q.close()));
  await redis.cleanup();
  await db?.destroy().catch(() => undefined);
  proxy?.close();
  server?.destroy();
});

async function appendSome(accounts: number): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (let i = 0; i < accounts; i++) {
    const id = randomUUID();
    await appendEvents(db, id, [created(id), deposited(id, '3.00')]);
    events.push(...(await streamEvents(db, id)));
  }
  return events;
}

describe('PostgreSQL circuit breaker', () => {
  it('opens when PostgreSQL stops, leaves it alone but for a probe per cool-down, and resumes after it starts', async () => {
    const port = await startProxy(server.port);
    const url = `postgres://postgres@127.0.0.1:${port}/lf_circuit`;
    const config = testProjectorConfig(url, redis.prefix, P, {
      LEDGERFLOW_PROJECTOR_BREAKER_FAILURES: '3',
      LEDGERFLOW_PROJECTOR_BREAKER_COOLDOWN_MS: '200',
      LEDGERFLOW_PROJECTOR_BREAKER_MAX_COOLDOWN_MS: '1000',
    });
    projector = await startProjector(config, { logger, memberId: 'circuit' });
    const first = await appendSome(4);
    await enqueue(queues, first, 2);
    await waitFor('the first events to be projected', async () => (await eventsApplied(db)) === first.length, 15_000, 50);
    const later = await appendSome(4); // enqueued during the outage

    server.stop();
    const open = await waitFor(
      'readiness to report the open circuit',
      async () => (await projector!.readiness()).reasons.find((r) => r.startsWith('postgres: circuit open')),
      10_000,
      20,
    );
    expect(open).toMatch(/^postgres: circuit open \(retry in \d+ s\)$/);
    await enqueue(queues, later, 2);

    // Without the breaker the 100 ms heartbeat alone would open ~40 connections in 4 s, plus
    // rebalancing steps; with it, one probe per cool-down (0.1…1 s, jittered, growing).
    const before = { connections, probes: projector.testing.circuit().probes };
    await new Promise((r) => setTimeout(r, 4000));
    const attempts = connections - before.connections;
    const probes = projector.testing.circuit().probes - before.probes;
    expect(probes).toBeGreaterThanOrEqual(3); // it keeps trying…
    expect(attempts).toBeLessThanOrEqual(probes + 1); // …with its probe only
    expect(attempts).toBeLessThanOrEqual(12);
    expect(projector.testing.circuit().opened).toBe(1);
    // No consumer took the jobs enqueued meanwhile: none burned an attempt.
    const counts = await Promise.all(queues.map((q) => q.getJobCounts('wait', 'active', 'failed', 'delayed')));
    const total = (state: string) => counts.reduce((n, c) => n + (c[state] ?? 0), 0);
    expect(total('active') + total('failed') + total('delayed')).toBe(0);
    expect(total('wait')).toBeGreaterThan(0);

    server.start();
    await waitFor('the projector to be ready again', async () => (await projector!.readiness()).ready, 15_000, 50);
    await waitFor('the events enqueued during the outage to be projected', async () => (await eventsApplied(db)) === first.length + later.length, 15_000, 50);
    expect(projector.testing.circuit().state).toBe('closed');
    expect(projector.partitions()).toEqual([0, 1, 2, 3]);
    expect((await verifyReadModels(db)).total).toBe(0);
  });
});
