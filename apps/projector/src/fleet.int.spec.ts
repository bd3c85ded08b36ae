import { randomUUID } from 'node:crypto';
import { fairShare } from '@ledgerflow/cdc-core';
import { readEventsAfter, verifyReadModels } from '@ledgerflow/sinks';
import { createTestDatabase, testRedisPrefix, waitFor, type TestDatabase } from '@ledgerflow/testkit';
import type { Queue } from 'bullmq';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectorConfig } from './config';
import { startProjector, type Projector } from './projector';
import { enqueue, eventsApplied, lockHolders, openQueues, testProjectorConfig } from './testing/fleet-fixtures';
import { appendEvents, created, deposited } from './testing/ledger-fixtures';

const P = 8;
const redis = testRedisPrefix('projector-fleet');
const logger = pino({ level: 'silent' });
let tdb: TestDatabase;
let config: ProjectorConfig;
let queues: Queue[] = [];
const running: Projector[] = [];
const feeders: Array<{ stop(): Promise<number> }> = [];

beforeAll(async () => {
  tdb = await createTestDatabase('projector_fleet');
  config = testProjectorConfig(tdb.url, redis.prefix, P);
  queues = openQueues(redis.prefix, P);
});

afterAll(async () => {
  await Promise.allSettled(feeders.map((f) => f.stop()));
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

/**
 * Appends events to a pool of accounts and enqueues them the way ingest does (read after the
 * last position, batch per partition, job id from the batch) until stopped.
 */
function startFeeder(): { stop(): Promise<number> } {
  const accounts = Array.from({ length: 40 }, () => randomUUID());
  const versions = new Map<string, number>();
  let last = 0n;
  let enqueued = 0;
  let stopping = false;
  const round = async () => {
    for (let i = 0; i < 6; i++) {
      const id = accounts[Math.floor(Math.random() * accounts.length)]!;
      const v = versions.get(id) ?? 0;
      await appendEvents(tdb.db, id, [v === 0 ? created(id) : deposited(id, '1.25')]);
      versions.set(id, v + 1);
    }
    const fresh = await readEventsAfter(tdb.db, last, 10_000);
    if (fresh.length > 0) {
      last = fresh.at(-1)!.position;
      await enqueue(queues, fresh, 5);
      enqueued += fresh.length;
    }
  };
  const loop = (async () => {
    while (!stopping) {
      await round();
      await new Promise((r) => setTimeout(r, 30));
    }
  })();
  const feeder = {
    async stop() {
      stopping = true;
      await loop;
      return enqueued;
    },
  };
  feeders.push(feeder);
  return feeder;
}

/** Waits until the server's locks give every partition to one of `members`, each its fair share, as each believes. */
async function waitForFairSplit(members: readonly Projector[], what: string, timeoutMs = 10_000): Promise<Map<number, string>> {
  const ids = members.map((m) => m.memberId);
  return waitFor(
    what,
    async () => {
      const holders = await lockHolders(tdb.db);
      if (holders.size !== P) return undefined;
      for (const m of members) {
        const onServer = [...holders].filter(([, id]) => id === m.memberId).map(([p]) => p).sort((a, b) => a - b);
        if (onServer.length !== fairShare(ids, m.memberId, P)) return undefined;
        if (onServer.join() !== m.partitions().join()) return undefined;
      }
      return holders;
    },
    timeoutMs,
    50,
  );
}

describe('projector fleet (G6)', () => {
  it('splits the partitions fairly, hands them over as members leave and join, and projects every event once', async () => {
    const feeder = startFeeder();
    const [m1, m2, m3] = await Promise.all(['m1', 'm2', 'm3'].map(start));
    const split = await waitForFairSplit([m1!, m2!, m3!], 'a 3/3/2 split between three members');
    expect([m1!, m2!, m3!].map((m) => m.partitions().length)).toEqual([3, 3, 2]);
    const all = [m1!, m2!, m3!].flatMap((m) => m.partitions()).sort((a, b) => a - b);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7]); // disjoint and covering
    expect(split.size).toBe(P);
    // The rows show the same, for people and tools (pg_locks stays the truth).
    await waitFor('the membership rows to show each member\'s partitions', async () => {
      const rows = await sql<{ member_id: string; partitions: number[] }>`select member_id, partitions from projector_members order by member_id`.execute(tdb.db);
      return JSON.stringify(rows.rows.map((r) => [r.member_id, [...r.partitions].sort((a, b) => a - b)])) === JSON.stringify([m1!, m2!, m3!].map((m) => [m.memberId, m.partitions()]));
    }, 5000, 50);

    // A graceful leave: its partitions drain and move to the two others.
    const leftAt = Date.now();
    const m2Partitions = m2!.partitions();
    await m2!.stop();
    const afterLeave = await waitForFairSplit([m1!, m3!], 'the leaver to hand its partitions over');
    const handover = Date.now() - leftAt;
    expect(handover).toBeLessThan(10_000);
    for (const p of m2Partitions) expect(['m1', 'm3']).toContain(afterLeave.get(p));

    // A join: the newcomer takes partitions from the others.
    const before = { m1: m1!.partitions().length, m3: m3!.partitions().length };
    const m4 = await start('m4');
    await waitForFairSplit([m1!, m3!, m4], 'the newcomer to take its share');
    expect(m4.partitions().length).toBe(2);
    expect(m1!.partitions().length + m3!.partitions().length).toBe(before.m1 + before.m3 - 2);

    const total = await feeder.stop();
    expect(total).toBeGreaterThan(0);
    await waitFor('every event to be projected once', async () => (await eventsApplied(tdb.db)) === total && (await verifyReadModels(tdb.db)).total === 0, 30_000, 200);
    expect((await verifyReadModels(tdb.db)).total).toBe(0);
    const committed = [m1!, m2!, m3!, m4].reduce((sum, m) => sum + m.stats().applied, 0);
    expect(committed).toBe(total);
    for (const q of queues) expect(await q.getJobCounts('wait', 'active', 'delayed', 'failed')).toEqual({ wait: 0, active: 0, delayed: 0, failed: 0 });

    await Promise.all([m1!.stop(), m3!.stop(), m4.stop()]);
    expect(await lockHolders(tdb.db)).toEqual(new Map());
  });
});
