import { randomUUID } from 'node:crypto';
import { listParkedAccounts, readAccountDeadLetters, skipEvent, verifyReadModels, type VerifyReport } from '@ledgerflow/sinks';
import { createTestDatabase, waitFor, type TestDatabase } from '@ledgerflow/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectBatch } from './project-batch';
import { redriveAccount } from './redrive';
import { accountRow, allEvents, appendEvents, created, deposited, streamEvents, type EventSpec } from './testing/ledger-fixtures';

/**
 * G5 end to end on projectBatch: poison rows written straight into `events` park their
 * accounts (failed event and every later one held, in order, with the right code), everything
 * else verifies; fixed in the event store and redriven, or skipped and redriven, every account
 * verifies. Redrives are safe against a batch of the same account in flight, in both orders.
 */
let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase('projector_poison_redrive');
});
afterAll(async () => {
  await tdb?.drop();
});

const NO_MISMATCHES: VerifyReport['mismatches'] = {
  missingAccounts: 0,
  extraAccounts: 0,
  wrongAccounts: 0,
  missingTransactions: 0,
  extraTransactions: 0,
  wrongTransactions: 0,
  brokenStreams: 0,
  parkedStreams: 0,
};

const poisonDeposit = (amount: string) => (id: string): EventSpec => deposited(id, amount);

/** The poisoned accounts: what their version-2 event is (version 5 for the hole), and the code it must park with. */
const POISONS = {
  badShape: { spec: (): EventSpec => ({ type: 'MoneyDeposited', data: { foo: 1 } }), code: 'EVENT_DATA_INVALID' },
  unknownType: { spec: (id: string): EventSpec => ({ type: 'InterestAccrued', data: { accountId: id, amount: '1.00' } }), code: 'EVENT_TYPE_UNKNOWN' },
  negative: { spec: poisonDeposit('-5.00'), code: 'EVENT_DATA_INVALID' },
  fractionalCent: { spec: poisonDeposit('1.005'), code: 'EVENT_DATA_INVALID' },
  oversized: { spec: poisonDeposit('1234567890123456789.00'), code: 'EVENT_DATA_INVALID' },
} as const;
type PoisonKind = keyof typeof POISONS;

async function setData(accountId: string, version: number, spec: EventSpec): Promise<void> {
  const r = await sql`update events set type = ${spec.type}, data = ${JSON.stringify(spec.data)}::jsonb where stream_id = ${accountId}::uuid and version = ${version}`.execute(tdb.db);
  expect(Number(r.numAffectedRows)).toBe(1);
}

async function deadLetters(accountId: string) {
  const { events } = await readAccountDeadLetters(tdb.db, accountId);
  return events.map((e) => [e.version, e.reason, e.code]);
}

async function stale(accountId: string): Promise<boolean | undefined> {
  const r = await sql<{ stale: boolean }>`select stale from account_projections where account_id = ${accountId}::uuid`.execute(tdb.db);
  return r.rows[0]?.stale;
}

async function expectVerified(skippedEvents = 0): Promise<void> {
  const report = await verifyReadModels(tdb.db);
  expect(report.samples).toEqual([]);
  expect(report).toMatchObject({ mismatches: NO_MISMATCHES, total: 0, skippedEvents });
}

describe('poison isolation with projectBatch, redrive and skip (G5)', () => {
  const healthy = Array.from({ length: 4 }, () => randomUUID());
  const poisoned = Object.fromEntries(Object.keys(POISONS).map((k) => [k, randomUUID()])) as Record<PoisonKind, string>;
  const holed = randomUUID();
  const badOpening = randomUUID();

  it('parks each poisoned account with its failed and later events held in order; the rest verifies', async () => {
    // Rounds interleave the accounts, so poison sits between good events of other accounts.
    for (const id of [...healthy, ...Object.values(poisoned), holed]) await appendEvents(tdb.db, id, [created(id)]);
    await appendEvents(tdb.db, badOpening, [{ type: 'AccountCreated', data: { foo: 1 } }]);
    for (const id of healthy) await appendEvents(tdb.db, id, [deposited(id, '1.00')]);
    for (const [kind, id] of Object.entries(poisoned)) await appendEvents(tdb.db, id, [POISONS[kind as PoisonKind].spec(id)]);
    await appendEvents(tdb.db, holed, [deposited(holed, '2.00')]);
    for (const id of [...healthy, ...Object.values(poisoned), badOpening]) await appendEvents(tdb.db, id, [deposited(id, '3.00')]);
    await appendEvents(tdb.db, holed, [deposited(holed, '5.00')], 5); // versions 3 and 4 never exist
    const firstBatch = await allEvents(tdb.db);
    for (const id of [...healthy, ...Object.values(poisoned), badOpening]) await appendEvents(tdb.db, id, [deposited(id, '4.00')]);
    await appendEvents(tdb.db, holed, [deposited(holed, '6.00')]);
    const secondBatch = (await allEvents(tdb.db)).slice(firstBatch.length);

    const first = await projectBatch(tdb.db, 0, firstBatch);
    expect(first).toMatchObject({ failures: 7, held: 0 });
    // The later events of the parked accounts arrive in a later batch: held, not applied, no gap repair.
    const second = await projectBatch(tdb.db, 0, secondBatch);
    expect(second).toEqual({ applied: healthy.length, duplicates: 0, repaired: 0, failures: 0, held: 7 });
    expect(await projectBatch(tdb.db, 0, secondBatch)).toEqual({ applied: 0, duplicates: healthy.length, repaired: 0, failures: 0, held: 7 });

    for (const [kind, id] of Object.entries(poisoned)) {
      const { code } = POISONS[kind as PoisonKind];
      expect(await deadLetters(id), kind).toEqual([
        [2, 'failed', code],
        [3, 'held', code],
        [4, 'held', code],
      ]);
      expect(await accountRow(tdb.db, id)).toMatchObject({ version: 1, balance: '100.00' });
      expect(await stale(id)).toBe(true);
    }
    expect(await deadLetters(holed)).toEqual([
      [5, 'failed', 'EVENT_VERSION_GAP'],
      [6, 'held', 'EVENT_VERSION_GAP'],
    ]);
    expect(await accountRow(tdb.db, holed)).toMatchObject({ version: 2, balance: '102.00' });
    expect(await deadLetters(badOpening)).toEqual([
      [1, 'failed', 'EVENT_DATA_INVALID'],
      [2, 'held', 'EVENT_DATA_INVALID'],
      [3, 'held', 'EVENT_DATA_INVALID'],
    ]);
    expect(await accountRow(tdb.db, badOpening)).toBeUndefined();
    for (const id of healthy) expect(await stale(id)).toBe(false);

    const parked = await listParkedAccounts(tdb.db);
    expect(parked).toHaveLength(7);
    expect(parked.find((p) => p.accountId === holed)).toMatchObject({ code: 'EVENT_VERSION_GAP', failedVersion: 5, heldCount: 1, projectedVersion: 2, partition: 0 });
    expect(parked.find((p) => p.accountId === poisoned.fractionalCent)!.details).toMatchObject({ field: 'amount', cause: expect.stringContaining('2 fraction digits') });

    // verify counts the parked accounts only (and the hole, which the event store itself has).
    const report = await verifyReadModels(tdb.db);
    expect(report.mismatches).toEqual({ ...NO_MISMATCHES, parkedStreams: 7, brokenStreams: 1 });
  });

  it('keeps an account parked, counting the attempt, when a redrive fails again', async () => {
    const result = await redriveAccount(tdb.db, poisoned.negative);
    expect(result).toMatchObject({ outcome: 'parked', applied: 0, version: 1, code: 'EVENT_DATA_INVALID', failedVersion: 2, held: 2, attempts: 1 });
    expect(await deadLetters(poisoned.negative)).toEqual([
      [2, 'failed', 'EVENT_DATA_INVALID'],
      [3, 'held', 'EVENT_DATA_INVALID'],
      [4, 'held', 'EVENT_DATA_INVALID'],
    ]);
    // The hole filled only in part: what is before the rest of the hole applies, the account stays parked.
    await appendEvents(tdb.db, holed, [deposited(holed, '3.00')], 3);
    expect(await redriveAccount(tdb.db, holed)).toMatchObject({ outcome: 'parked', applied: 1, version: 3, code: 'EVENT_VERSION_GAP', failedVersion: 5, attempts: 1 });
    expect(await stale(holed)).toBe(true);
    await expect(redriveAccount(tdb.db, healthy[0]!)).rejects.toMatchObject({ code: 'ACCOUNT_NOT_PARKED' });
  });

  it('unparks every account once its events are fixed in the event store; then everything verifies', async () => {
    for (const id of Object.values(poisoned)) await setData(id, 2, deposited(id, '2.00'));
    await setData(badOpening, 1, created(badOpening, '50.00'));
    await appendEvents(tdb.db, holed, [deposited(holed, '4.00')], 4);

    for (const id of [...Object.values(poisoned), holed, badOpening]) {
      const result = await redriveAccount(tdb.db, id);
      expect(result, id).toMatchObject({ outcome: 'unparked' });
      expect(await deadLetters(id)).toEqual([]);
      expect(await stale(id)).toBe(false);
    }
    expect(await accountRow(tdb.db, poisoned.badShape)).toMatchObject({ version: 4, balance: '109.00' });
    expect(await accountRow(tdb.db, holed)).toMatchObject({ version: 6, balance: '120.00' });
    expect(await accountRow(tdb.db, badOpening)).toMatchObject({ version: 3, balance: '57.00' });
    expect(await listParkedAccounts(tdb.db)).toEqual([]);
    await expectVerified();
    // Every event counted exactly once in the checkpoints, redriven ones included.
    const counts = await sql<{ events: string; applied: string }>`
      select (select count(*) from events)::text as events, (select sum(events_applied) from projection_checkpoints)::text as applied`.execute(tdb.db);
    expect(counts.rows[0]!.applied).toBe(counts.rows[0]!.events);
  });

  it('continues past an event an operator skipped', async () => {
    const id = randomUUID();
    await appendEvents(tdb.db, id, [created(id), deposited(id, 'abc'), deposited(id, '1.00'), deposited(id, '2.00')]);
    await projectBatch(tdb.db, 1, await streamEvents(tdb.db, id));
    const poison = (await streamEvents(tdb.db, id))[1]!;
    expect(await deadLetters(id)).toEqual([
      [2, 'failed', 'EVENT_DATA_INVALID'],
      [3, 'held', 'EVENT_DATA_INVALID'],
      [4, 'held', 'EVENT_DATA_INVALID'],
    ]);

    expect(await skipEvent(tdb.db, poison.eventId, 'entered by hand twice')).toMatchObject({ recorded: true, version: 2 });
    expect(await redriveAccount(tdb.db, id)).toEqual({ outcome: 'unparked', accountId: id, applied: 3, version: 4 });
    expect(await accountRow(tdb.db, id)).toMatchObject({ version: 4, balance: '103.00' });
    await expectVerified(1);
    // A redelivery of the skipped event later is a no-op like any other.
    expect(await projectBatch(tdb.db, 1, [poison])).toMatchObject({ applied: 0, duplicates: 1, failures: 0 });
  });
});

/** A promise that a test opens by hand, and one that says the paused side reached it. */
function pause() {
  let release!: () => void;
  let arrived!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const reached = new Promise<void>((r) => (arrived = r));
  return { release, reached, hook: async () => (arrived(), released) };
}

/** Waits until some session of the test database waits on a row lock. */
async function someoneWaitsOnALock(): Promise<void> {
  await waitFor('a session waiting on a lock', async () => {
    const r = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(tdb.db);
    return r.rows[0]!.n > 0;
  }, 10_000, 20);
}

/** An account parked at version 2 (a negative deposit), its poison then fixed in the store. */
async function parkedThenFixed(): Promise<string> {
  const id = randomUUID();
  await appendEvents(tdb.db, id, [created(id), deposited(id, '-1.00')]);
  await projectBatch(tdb.db, 2, await streamEvents(tdb.db, id));
  await setData(id, 2, deposited(id, '1.00'));
  return id;
}

describe('redrive against a batch of the same account in flight', () => {
  it('waits for a batch that holds a new event, then applies that event too', async () => {
    const id = await parkedThenFixed();
    await appendEvents(tdb.db, id, [deposited(id, '2.00')]);
    const v3 = (await streamEvents(tdb.db, id))[2]!;
    const batchPause = pause();
    const batch = projectBatch(tdb.db, 2, [v3], { beforeCommit: batchPause.hook });
    await batchPause.reached; // v3 held, the parked row share-locked
    const redrive = redriveAccount(tdb.db, id);
    try {
      await someoneWaitsOnALock();
    } finally {
      batchPause.release();
    }
    expect(await batch).toMatchObject({ held: 1 });
    expect(await redrive).toMatchObject({ outcome: 'unparked', applied: 2, version: 3 });
    expect(await deadLetters(id)).toEqual([]);
    await expectVerified(1);
  });

  it('makes a batch wait for the redrive, which then finds the account unparked and applies its new event', async () => {
    const id = await parkedThenFixed();
    const redrivePause = pause();
    const redrive = redriveAccount(tdb.db, id, { beforeCommit: redrivePause.hook });
    await redrivePause.reached; // version 2 applied, the parked row locked for update
    // Appended after the redrive read the stream: the redrive cannot see it, the batch must apply it.
    await appendEvents(tdb.db, id, [deposited(id, '2.00')]);
    const v3 = (await streamEvents(tdb.db, id))[2]!;
    const batch = projectBatch(tdb.db, 2, [v3]);
    try {
      await someoneWaitsOnALock();
    } finally {
      redrivePause.release();
    }
    expect(await redrive).toMatchObject({ outcome: 'unparked', applied: 1, version: 2 });
    expect(await batch).toEqual({ applied: 1, duplicates: 0, repaired: 0, failures: 0, held: 0 });
    expect(await accountRow(tdb.db, id)).toMatchObject({ version: 3, balance: '103.00' });
    expect(await deadLetters(id)).toEqual([]);
    await expectVerified(1);
  });
});
