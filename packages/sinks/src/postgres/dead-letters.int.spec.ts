import { randomUUID } from 'node:crypto';
import { isLedgerflowError, poison, type StoredEvent } from '@ledgerflow/cdc-core';
import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listParkedAccounts, readAccountDeadLetters, readDeadLetterSummary } from './dead-letter-queries';
import { causeFromError, holdEvents, lockParkedAccounts, parkAccounts } from './dead-letters';
import { readStream } from './event-store-reads';
import { skipEvent } from './skip-event';
import { writeProjection } from './read-model-store';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('dead_letters');
});
afterAll(async () => {
  await t?.drop();
});

async function append(streamId: string, version: number, type: string, data: Record<string, unknown>): Promise<void> {
  await t.db.insertInto('events').values({ event_id: randomUUID(), stream_id: streamId, version, type, data: JSON.stringify(data) }).execute();
}

/** An account with a good creation, a poison deposit at version 2 and two more deposits. */
async function poisonedAccount(): Promise<{ id: string; events: StoredEvent[] }> {
  const id = randomUUID();
  await append(id, 1, 'AccountCreated', { accountId: id, ownerName: 'Pat', initialBalance: '1.00' });
  await append(id, 2, 'MoneyDeposited', { accountId: id, amount: '-1.00', transactionId: randomUUID() });
  await append(id, 3, 'MoneyDeposited', { accountId: id, amount: '1.00', transactionId: randomUUID() });
  await append(id, 4, 'MoneyDeposited', { accountId: id, amount: '2.00', transactionId: randomUUID() });
  const events = await readStream(t.db, id);
  const first = events[0]!;
  const row = { accountId: id, ownerName: 'Pat', balance: 100n, status: 'active' as const, version: 1, lastPosition: first.position, createdAt: first.createdAt, updatedAt: first.createdAt };
  await t.db.transaction().execute((trx) => writeProjection(trx, { accounts: [row], transactions: [], checkpoint: { partition: 0, position: first.position, eventsApplied: 1 } }));
  return { id, events };
}

const cause = (version: number) => causeFromError(poison('EVENT_DATA_INVALID', `bad amount at v${version}`, { version }, new Error('amount must be > 0')));

async function stale(id: string): Promise<boolean | undefined> {
  const r = await sql<{ stale: boolean }>`select stale from account_projections where account_id = ${id}::uuid`.execute(t.db);
  return r.rows[0]?.stale;
}

describe('dead-letter store', () => {
  it('parks an account with its failed and held events, marks its row stale, and is idempotent', async () => {
    const { id, events } = await poisonedAccount();
    const request = { accountId: id, partition: 3, failed: events[1]!, cause: cause(2), held: [events[2]!] };
    await t.db.transaction().execute((trx) => parkAccounts(trx, [request]));
    await t.db.transaction().execute((trx) => parkAccounts(trx, [request])); // a redelivered batch
    expect(await stale(id)).toBe(true);

    // A later event arrives for the parked account: held, once, however often it is delivered.
    const parked = await t.db.transaction().execute((trx) => lockParkedAccounts(trx, [id, randomUUID()]));
    expect([...parked.values()]).toEqual([{ accountId: id, code: 'EVENT_DATA_INVALID', failedEventId: events[1]!.eventId, failedVersion: 2 }]);
    for (let i = 0; i < 2; i++) await t.db.transaction().execute((trx) => holdEvents(trx, [{ parked: parked.get(id)!, events: [events[3]!] }]));

    const shown = await readAccountDeadLetters(t.db, id.toUpperCase());
    expect(shown.parked).toMatchObject({ accountId: id, partition: 3, code: 'EVENT_DATA_INVALID', failedVersion: 2, attempts: 0, heldCount: 2, projectedVersion: 1 });
    expect(shown.parked!.details).toEqual({ version: 2, cause: 'amount must be > 0' });
    expect(shown.events.map((e) => [e.version, e.reason, e.code])).toEqual([
      [2, 'failed', 'EVENT_DATA_INVALID'],
      [3, 'held', 'EVENT_DATA_INVALID'],
      [4, 'held', 'EVENT_DATA_INVALID'],
    ]);
    expect(shown.events[0]!.data).toMatchObject({ amount: '-1.00' });
    expect(shown.events[1]!.message).toContain(`held behind event ${events[1]!.eventId} (version 2)`);

    expect((await listParkedAccounts(t.db)).map((p) => [p.accountId, p.heldCount])).toEqual([[id, 2]]);
    expect(await readDeadLetterSummary(t.db)).toEqual({ parkedAccounts: 1, deadLetterEvents: 3, skippedEvents: 0 });
  });

  it('skips only an unapplied, non-opening event of a parked account, with a reason, once', async () => {
    const { id, events } = await poisonedAccount();
    const refusal = async (eventId: string, reason = 'test'): Promise<string> => {
      const error: unknown = await skipEvent(t.db, eventId, reason).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (!isLedgerflowError(error)) throw new Error(`expected a refusal, got ${String(error)}`);
      return error.code;
    };
    expect(await refusal(events[1]!.eventId)).toBe('ACCOUNT_NOT_PARKED');
    await t.db.transaction().execute((trx) => parkAccounts(trx, [{ accountId: id, partition: 0, failed: events[1]!, cause: cause(2), held: events.slice(2) }]));
    expect(await refusal(events[0]!.eventId)).toBe('SKIP_REFUSED'); // already applied
    expect(await refusal(randomUUID())).toBe('SKIP_REFUSED'); // unknown
    expect(await refusal('not-a-uuid')).toBe('SKIP_REFUSED');
    expect(await refusal(events[1]!.eventId, '   ')).toBe('SKIP_REFUSED'); // no reason

    expect(await skipEvent(t.db, events[1]!.eventId, ' refund entered twice ')).toEqual({ eventId: events[1]!.eventId, accountId: id, version: 2, type: 'MoneyDeposited', recorded: true });
    expect(await skipEvent(t.db, events[1]!.eventId, 'again')).toMatchObject({ recorded: false });
    const { skipped } = await readAccountDeadLetters(t.db, id);
    expect(skipped.map((s) => [s.version, s.reason])).toEqual([[2, 'refund entered twice']]);

    // The first event of an account without a row opens it: never skipped.
    const fresh = randomUUID();
    await append(fresh, 1, 'AccountCreated', { accountId: fresh, ownerName: '', initialBalance: '1.00' });
    const [opening] = await readStream(t.db, fresh);
    await t.db.transaction().execute((trx) => parkAccounts(trx, [{ accountId: fresh, partition: 0, failed: opening!, cause: cause(1), held: [] }]));
    expect(await refusal(opening!.eventId)).toBe('SKIP_REFUSED');
    expect(await stale(fresh)).toBeUndefined(); // no row to mark
  });
});
