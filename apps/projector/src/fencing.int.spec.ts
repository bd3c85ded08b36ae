import { verifyReadModels } from '@ledgerflow/sinks';
import { createTestDatabase, testRedisPrefix, waitFor, type TestDatabase } from '@ledgerflow/testkit';
import type { Queue } from 'bullmq';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectorConfig } from './config';
import { PROJECTOR_LOCK_NAMESPACE } from './fleet/fleet-rules';
import { projectBatch } from './project-batch';
import { startProjector, type Projector } from './projector';
import { accountOn, enqueue, eventsApplied, lockHolders, openQueues, testProjectorConfig } from './testing/fleet-fixtures';
import { accountRow, appendEvents, created, deposited, readModelState, streamEvents, transactionRows } from './testing/ledger-fixtures';

const P = 2;
const redis = testRedisPrefix('projector-fencing');
const logger = pino({ level: 'silent' });
let tdb: TestDatabase;
let config: ProjectorConfig;
let queues: Queue[] = [];
const running: Projector[] = [];
/** Lets a frozen member's batch go on; opened in afterAll too, so a failed test cannot hang cleanup. */
const wake = latch();

beforeAll(async () => {
  tdb = await createTestDatabase('projector_fencing');
  config = testProjectorConfig(tdb.url, redis.prefix, P);
  queues = openQueues(redis.prefix, P);
});

afterAll(async () => {
  wake.open();
  await Promise.allSettled(running.map((p) => p.stop()));
  await Promise.allSettled(queues.map((q) => q.close()));
  await redis.cleanup();
  await tdb?.drop();
});

async function start(memberId: string): Promise<Projector> {
  const projector = await startProjector(config, { logger, memberId });
  running.push(projector);
  return projector;
}

/** A promise and the function that resolves it. */
function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

async function sessionsOf(memberId: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
    where application_name = ${`lf-projector:${memberId}`} and datname = current_database()`.execute(tdb.db);
  return r.rows[0]!.n;
}

/** The backend holding a partition's lock in this test's database. */
async function lockPid(partition: number): Promise<number | undefined> {
  const r = await sql<{ pid: number }>`select l.pid from pg_locks l
    where l.locktype = 'advisory' and l.granted and l.classid = ${PROJECTOR_LOCK_NAMESPACE}::oid and l.objsubid = 2 and l.objid = ${partition}::oid
      and l.database = (select oid from pg_database where datname = current_database())`.execute(tdb.db);
  return r.rows[0]?.pid;
}

describe('fencing (G6)', () => {
  it('a fenced-off process cannot commit', async () => {
    const a = await start('member-a');
    await waitFor('A to own every partition', async () => a.partitions().length === P, 10_000, 50);
    const x = accountOn(0, P); // A's batch
    const z = accountOn(0, P); // B's work on the same partition
    await appendEvents(tdb.db, x, [created(x), deposited(x, '40.00')]);
    await appendEvents(tdb.db, z, [created(z), deposited(z, '2.00')]);
    const xEvents = await streamEvents(tdb.db, x);

    // A has written its batch and is about to commit when it freezes.
    const reached = latch();
    const aDb = a.testing.partitionDb(0)!;
    const aCommit = projectBatch(aDb, 0, xEvents, {
      beforeCommit: async () => {
        reached.open();
        await wake.promise;
      },
    });
    const aOutcome = aCommit.then(
      () => 'committed',
      (err: unknown) => err,
    );
    await reached.promise;
    await a.testing.freeze();
    expect(await accountRow(tdb.db, x)).toBeUndefined(); // not committed yet

    // B joins, sees A's heartbeat go stale, terminates A's connections and takes everything.
    const b = await start('member-b');
    await waitFor('B to own every partition', async () => b.partitions().length === P, 10_000, 50);
    expect([...(await lockHolders(tdb.db)).values()]).toEqual(['member-b', 'member-b']);
    expect(await sessionsOf('member-a')).toBe(0);
    const rows = await sql<{ member_id: string }>`select member_id from projector_members`.execute(tdb.db);
    expect(rows.rows.map((r) => r.member_id)).toEqual(['member-b']);

    // B works on partition 0 while A sleeps.
    await enqueue(queues, await streamEvents(tdb.db, z));
    await waitFor('B to project z', async () => (await accountRow(tdb.db, z))?.version === 2, 10_000, 50);

    // A wakes up and commits: its connection is gone, so nothing of its batch lands.
    wake.open();
    const outcome = await aOutcome;
    expect(outcome).toBeInstanceOf(Error);
    expect(await accountRow(tdb.db, x)).toBeUndefined();
    expect(await transactionRows(tdb.db, x)).toEqual([]);
    // And a fresh attempt through the same partition client fails too.
    await expect(projectBatch(aDb, 0, xEvents)).rejects.toThrow();
    expect(await accountRow(tdb.db, x)).toBeUndefined();
    const checkpoint = (await readModelState(tdb.db, [], 0)).checkpoint;
    expect(checkpoint).toMatchObject({ events_applied: '2' }); // z's two events, B's only
    expect(await accountRow(tdb.db, z)).toMatchObject({ balance: '102.00', version: 2 });

    // The events A could not commit reach the read model once, through B.
    await enqueue(queues, xEvents);
    await waitFor('B to project x', async () => (await accountRow(tdb.db, x))?.version === 2, 10_000, 50);
    expect(await accountRow(tdb.db, x)).toMatchObject({ balance: '140.00', version: 2 });
    expect(await transactionRows(tdb.db, x)).toHaveLength(1);
    expect(await eventsApplied(tdb.db)).toBe(4);
    expect((await verifyReadModels(tdb.db)).total).toBe(0);
    expect(a.stats().batches).toBe(0);
    await b.stop();
    await a.stop();
  });

  it('drops a partition whose lock connection is terminated and takes it back on a fresh one', async () => {
    const c = await start('member-c');
    await waitFor('C to own every partition', async () => c.partitions().length === P, 10_000, 50);
    const before = await lockPid(1);
    await sql`select pg_terminate_backend(${before}, 2000)`.execute(tdb.db);
    await waitFor('C to lock partition 1 again on another connection', async () => {
      const now = await lockPid(1);
      return now !== undefined && now !== before && c.partitions().includes(1);
    }, 10_000, 50);

    const y = accountOn(1, P);
    await appendEvents(tdb.db, y, [created(y), deposited(y, '5.00')]);
    await enqueue(queues, await streamEvents(tdb.db, y));
    await waitFor('C to project y', async () => (await accountRow(tdb.db, y))?.version === 2, 10_000, 50);
    await c.stop();
    expect(await lockHolders(tdb.db)).toEqual(new Map());
    // Closed on our side; the server ends the backends a moment later.
    await waitFor('C to have no session left', async () => (await sessionsOf('member-c')) === 0, 5000, 50);
  });
});
