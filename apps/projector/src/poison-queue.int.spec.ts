import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '@ledgerflow/cdc-core';
import { listParkedAccounts, readDeadLetterSummary, verifyReadModels } from '@ledgerflow/sinks';
import { createTestDatabase, testRedisPrefix, waitFor, type TestDatabase } from '@ledgerflow/testkit';
import type { Queue } from 'bullmq';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjector, type Projector } from './projector';
import { redriveAccount } from './redrive';
import { enqueue, openQueues, testProjectorConfig } from './testing/fleet-fixtures';
import { accountRow, allEvents, appendEvents, created, deposited, withdrawn } from './testing/ledger-fixtures';

/** G5 through real BullMQ queues and a running projector: park, hold, redrive while it runs. */
const P = 2;
const redis = testRedisPrefix('projector_poison_queue');
let tdb: TestDatabase;
let queues: Queue[] = [];
let projector: Projector | undefined;

beforeAll(async () => {
  tdb = await createTestDatabase('projector_poison_queue');
  queues = openQueues(redis.prefix, P);
});
afterAll(async () => {
  await projector?.stop();
  await Promise.allSettled(queues.map((q) => q.close()));
  await redis.cleanup();
  await tdb?.drop();
});

let seen = 0;
/** Enqueues the events appended since the last call, as ingest would. */
async function enqueueNew(): Promise<StoredEvent[]> {
  const events = (await allEvents(tdb.db)).slice(seen);
  seen += events.length;
  await enqueue(queues, events, 5);
  return events;
}

async function mismatches() {
  const report = await verifyReadModels(tdb.db);
  return { ...report.mismatches, total: report.total, skippedEvents: report.skippedEvents };
}

describe('poison isolation through BullMQ (G5)', () => {
  const healthy = Array.from({ length: 6 }, () => randomUUID());
  const [shape, cent, holed] = [randomUUID(), randomUUID(), randomUUID()];

  it('parks the poisoned accounts and holds their later events while every other account flows on', async () => {
    for (const id of [...healthy, shape, cent, holed]) await appendEvents(tdb.db, id, [created(id)]);
    for (const id of healthy) await appendEvents(tdb.db, id, [deposited(id, '10.00')]);
    await appendEvents(tdb.db, shape, [{ type: 'MoneyDeposited', data: { foo: 1 } }]);
    await appendEvents(tdb.db, cent, [deposited(cent, '1.005')]);
    await appendEvents(tdb.db, holed, [deposited(holed, '1.00')], 5);
    for (const id of [...healthy, shape, cent]) await appendEvents(tdb.db, id, [withdrawn(id, '1.00')]);
    await enqueueNew();

    projector = await startProjector(testProjectorConfig(tdb.url, redis.prefix, P), { logger: pino({ level: 'silent' }) });
    await waitFor('poisoned accounts parked and the rest projected', async () => {
      const m = await mismatches();
      return m.total === 4 && m.parkedStreams === 3 && m.brokenStreams === 1 && (await readDeadLetterSummary(tdb.db)).deadLetterEvents === 5;
    }, 20_000, 100);
    expect((await listParkedAccounts(tdb.db)).map((p) => [p.accountId, p.code, p.failedVersion, p.heldCount]).sort()).toEqual(
      [
        [shape, 'EVENT_DATA_INVALID', 2, 1],
        [cent, 'EVENT_DATA_INVALID', 2, 1],
        [holed, 'EVENT_VERSION_GAP', 5, 0],
      ].sort(),
    );

    // Later events: the parked account's are held, the healthy one's applied.
    await appendEvents(tdb.db, shape, [deposited(shape, '7.00')]);
    await appendEvents(tdb.db, healthy[0]!, [deposited(healthy[0]!, '7.00')]);
    await enqueueNew();
    await waitFor('the later events handled', async () => (await accountRow(tdb.db, healthy[0]!))?.version === 4 && (await readDeadLetterSummary(tdb.db)).deadLetterEvents === 6, 10_000, 50);
    expect(await accountRow(tdb.db, shape)).toMatchObject({ version: 1 });
    expect(projector.stats()).toMatchObject({ parkedAccounts: 3, failures: 3 });
    expect(projector.stats().held).toBeGreaterThanOrEqual(1);
  });

  it('redrives fixed accounts while the projector runs; they flow again afterwards', async () => {
    await sql`update events set data = ${JSON.stringify({ accountId: shape, amount: '2.00', transactionId: randomUUID() })}::jsonb
      where stream_id = ${shape}::uuid and version = 2`.execute(tdb.db);
    await sql`update events set data = jsonb_set(data, '{amount}', '"1.00"') where stream_id = ${cent}::uuid and version = 2`.execute(tdb.db);
    await appendEvents(tdb.db, holed, [deposited(holed, '1.00'), deposited(holed, '1.00'), deposited(holed, '1.00')], 2);
    // Fixing a row and inserting missing versions reaches the queues too (ingest streams them): harmless.
    await enqueueNew();

    for (const id of [shape, cent, holed]) expect(await redriveAccount(tdb.db, id), id).toMatchObject({ outcome: 'unparked' });
    expect(await accountRow(tdb.db, shape)).toMatchObject({ version: 4, balance: '108.00' });

    await appendEvents(tdb.db, shape, [deposited(shape, '1.00')]);
    await enqueueNew();
    await waitFor('the redriven account to flow again', async () => (await accountRow(tdb.db, shape))?.version === 5, 10_000, 50);
    await waitFor('everything to verify', async () => (await mismatches()).total === 0, 10_000, 100);
    expect(await readDeadLetterSummary(tdb.db)).toEqual({ parkedAccounts: 0, deadLetterEvents: 0, skippedEvents: 0 });
  });
});
