import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '@ledgerflow/cdc-core';
import { verifyReadModels } from '@ledgerflow/sinks';
import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectBatch } from './project-batch';
import { accountRow, allEvents, appendEvents, created, deposited, readModelState, streamEvents, transactionRows, withdrawn } from './testing/ledger-fixtures';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase('projector_batch');
});
afterAll(async () => {
  await tdb?.drop();
});

const pick = (events: readonly StoredEvent[], ...versions: number[]) => versions.map((v) => events.find((e) => e.version === v)!);

async function expectVerified(): Promise<void> {
  const report = await verifyReadModels(tdb.db);
  expect(report.samples).toEqual([]);
  expect(report.total).toBe(0);
}

describe('projectBatch', () => {
  it('applies a batch once: delivering it again changes nothing (G1)', async () => {
    const a = randomUUID();
    const b = randomUUID();
    await appendEvents(tdb.db, a, [created(a), deposited(a, '50.00'), withdrawn(a, '30.00')]);
    await appendEvents(tdb.db, b, [created(b, '0.00'), deposited(b, '5.25')]);
    const events = (await allEvents(tdb.db)).filter((e) => e.streamId === a || e.streamId === b);

    expect(await projectBatch(tdb.db, 1, events)).toEqual({ applied: 5, duplicates: 0, repaired: 0, failures: 0, held: 0 });
    const before = await readModelState(tdb.db, [a, b], 1);
    expect(before.checkpoint).toMatchObject({ position: events[events.length - 1]!.position.toString(), events_applied: '5' });
    expect(await accountRow(tdb.db, a)).toMatchObject({ balance: '120.00', version: 3, status: 'active' });
    expect(before.transactions).toHaveLength(3);

    expect(await projectBatch(tdb.db, 1, events)).toEqual({ applied: 0, duplicates: 5, repaired: 0, failures: 0, held: 0 });
    expect(await readModelState(tdb.db, [a, b], 1)).toEqual(before);

    // Redelivered events mixed with a new one: only the new one counts.
    await appendEvents(tdb.db, a, [deposited(a, '1.00')]);
    const more = await streamEvents(tdb.db, a);
    expect(await projectBatch(tdb.db, 1, more)).toEqual({ applied: 1, duplicates: 3, repaired: 0, failures: 0, held: 0 });
    const after = await readModelState(tdb.db, [a, b], 1);
    expect(after.checkpoint).toMatchObject({ position: more[3]!.position.toString(), events_applied: '6' });
    await expectVerified();
  });

  it('ends with the right row whatever the delivery order (G2)', async () => {
    const c = randomUUID();
    await appendEvents(tdb.db, c, [created(c), deposited(c, '10.00'), deposited(c, '20.00'), withdrawn(c, '5.00'), deposited(c, '1.00'), withdrawn(c, '2.00')]);
    const events = await streamEvents(tdb.db, c);

    expect(await projectBatch(tdb.db, 2, pick(events, 1))).toMatchObject({ applied: 1 });
    // Version 3's batch before version 2's: version 2 is read from the store.
    expect(await projectBatch(tdb.db, 2, pick(events, 3))).toEqual({ applied: 2, duplicates: 0, repaired: 1, failures: 0, held: 0 });
    expect(await projectBatch(tdb.db, 2, pick(events, 2))).toEqual({ applied: 0, duplicates: 1, repaired: 0, failures: 0, held: 0 });
    // Shuffled within a batch, with a repeat.
    expect(await projectBatch(tdb.db, 2, pick(events, 6, 4, 5, 4))).toEqual({ applied: 3, duplicates: 1, repaired: 0, failures: 0, held: 0 });

    expect(await accountRow(tdb.db, c)).toEqual({ balance: '124.00', status: 'active', version: 6, last_position: events[5]!.position.toString() });
    const txs = await transactionRows(tdb.db, c);
    expect(txs.map((t) => [t.type, t.amount, t.balance_after])).toEqual([
      ['DEPOSIT', '10.00', '110.00'],
      ['DEPOSIT', '20.00', '130.00'],
      ['WITHDRAWAL', '5.00', '125.00'],
      ['DEPOSIT', '1.00', '126.00'],
      ['WITHDRAWAL', '2.00', '124.00'],
    ]);
    const state = await readModelState(tdb.db, [c], 2);
    expect(state.checkpoint).toMatchObject({ position: events[5]!.position.toString(), events_applied: '6' });
    await expectVerified();
  });

  it('repairs a gap from the event store in the same transaction', async () => {
    const d = randomUUID();
    await appendEvents(tdb.db, d, [created(d), deposited(d, '7.00'), withdrawn(d, '3.50'), deposited(d, '0.01')]);
    const events = await streamEvents(tdb.db, d);
    await projectBatch(tdb.db, 3, pick(events, 1));
    expect(await accountRow(tdb.db, d)).toMatchObject({ version: 1 });

    expect(await projectBatch(tdb.db, 3, pick(events, 4))).toEqual({ applied: 3, duplicates: 0, repaired: 2, failures: 0, held: 0 });

    expect(await accountRow(tdb.db, d)).toEqual({ balance: '103.51', status: 'active', version: 4, last_position: events[3]!.position.toString() });
    const txs = await transactionRows(tdb.db, d);
    expect(txs.map((t) => t.position)).toEqual(events.slice(1).map((e) => e.position.toString()));
    expect(txs.map((t) => t.transaction_id)).toEqual(events.slice(1).map((e) => (JSON.parse(e.data) as { transactionId: string }).transactionId));
    expect((await readModelState(tdb.db, [d], 3)).checkpoint).toMatchObject({ events_applied: '4' });
    await expectVerified();
  });

  it('does nothing for an empty batch', async () => {
    expect(await projectBatch(tdb.db, 9, [])).toEqual({ applied: 0, duplicates: 0, repaired: 0, failures: 0, held: 0 });
    expect((await readModelState(tdb.db, [], 9)).checkpoint).toBeUndefined();
  });
});
