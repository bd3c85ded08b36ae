import { randomUUID } from 'node:crypto';
import { createDb, migrateToLatest, verifyReadModels, type LedgerDatabase } from '@ledgerflow/sinks';
import { startPrivatePostgres, startPrivateRedis, testRedisPrefix, waitFor, type PrivatePostgres, type PrivateRedis } from '@ledgerflow/testkit';
import type { Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectorConfig } from './config';
import { startProjector, type Projector } from './projector';
import { enqueue, eventsApplied, lockHolders, openQueues, testProjectorConfig } from './testing/fleet-fixtures';
import { accountRow, appendEvents, created, deposited, streamEvents } from './testing/ledger-fixtures';

const P = 4;
const redis = testRedisPrefix('projector-recovery');
const logger = pino({ level: 'silent' });
let server: PrivatePostgres;
let redisServer: PrivateRedis;
let pool: pg.Pool;
let db: Kysely<LedgerDatabase>;
let config: ProjectorConfig;
let queues: Queue[] = [];
const running: Projector[] = [];

beforeAll(async () => {
  server = await startPrivatePostgres();
  redisServer = await startPrivateRedis();
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query('create database lf_recovery');
  await admin.end();
  const url = server.adminUrl.replace(/\/postgres$/, '/lf_recovery');
  pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined); // the test's own idle connections die with the restart
  db = createDb(pool);
  const migrated = await migrateToLatest(db as Kysely<unknown>);
  if (migrated.error) throw migrated.error;
  config = testProjectorConfig(url, redis.prefix, P, { REDIS_URL: redisServer.url });
  queues = openQueues(redis.prefix, P, redisServer.url);
  for (const q of queues) q.on('error', () => undefined);
});

afterAll(async () => {
  await Promise.allSettled(running.map((p) => p.stop()));
  await Promise.allSettled(queues.map((q) => q.close()));
  await db?.destroy().catch(() => undefined);
  await redisServer?.stop();
  server?.destroy();
});

async function start(memberId: string): Promise<Projector> {
  const projector = await startProjector(config, { logger, memberId });
  running.push(projector);
  return projector;
}

/** Appends a few events per account and enqueues them; resolves once all are projected. */
async function projectSome(accounts: number, total: () => Promise<number>): Promise<void> {
  for (let i = 0; i < accounts; i++) {
    const id = randomUUID();
    await appendEvents(db, id, [created(id), deposited(id, '3.00'), deposited(id, '4.00')]);
    await enqueue(queues, await streamEvents(db, id));
  }
  const expected = await total();
  await waitFor('events to be projected', async () => (await eventsApplied(db)) === expected, 30_000, 100);
}

async function eventCount(): Promise<number> {
  const r = await pool.query<{ n: number }>('select count(*)::int as n from events');
  return r.rows[0]!.n;
}

/** Waits until two members hold two partitions each, on the server and in their own view. */
async function waitForSplit(members: readonly Projector[], what: string): Promise<void> {
  await waitFor(
    what,
    async () => {
      const holders = await lockHolders(db);
      return holders.size === P && members.every((m) => m.partitions().length === P / members.length && m.partitions().every((p) => holders.get(p) === m.memberId));
    },
    30_000,
    100,
  );
}

describe('recovery', () => {
  it('survives a PostgreSQL restart: partitions drop, come back, and projection resumes', async () => {
    const a = await start('rec-a');
    const b = await start('rec-b');
    await waitForSplit([a, b], 'a 2/2 split');
    await projectSome(4, eventCount);

    server.restart();
    await waitForSplit([a, b], 'both members to own their share again after the restart');
    await projectSome(4, eventCount);
    expect((await verifyReadModels(db)).total).toBe(0);
  });

  it('survives a Redis restart: workers reconnect and consume again', async () => {
    const [a, b] = running;
    await redisServer.stop();
    await new Promise((r) => setTimeout(r, 1500));
    await redisServer.start();
    const id = randomUUID();
    await appendEvents(db, id, [created(id), deposited(id, '9.00')]);
    await waitFor('the queues to accept jobs again', async () => {
      await enqueue(queues, await streamEvents(db, id));
      return true;
    });
    await waitFor('the projectors to consume again', async () => (await accountRow(db, id))?.version === 2, 30_000, 100);
    expect([...a!.partitions(), ...b!.partitions()].sort()).toEqual([0, 1, 2, 3]);
    expect((await verifyReadModels(db)).total).toBe(0);
  });
});
