import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '@ledgerflow/cdc-core';
import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEventsAfter, readStream, readUnappliedEventsAfter, readVersionRanges } from './event-store-reads';

let t: TestDatabase;
/** What was inserted, in insertion (= position) order, with what PostgreSQL assigned. */
const inserted: { position: bigint; eventId: string; streamId: string; version: number; data: unknown; metadata: unknown; createdAt: string }[] = [];

// Sorted, so "ordered by stream" has a known meaning.
const [S1, S2, S3] = [randomUUID(), randomUUID(), randomUUID()].sort() as [string, string, string];
/** Beyond 2^53: positions must never pass through a JS number. */
const FIRST_POSITION = 9_007_199_254_740_993n;

beforeAll(async () => {
  t = await createTestDatabase('event_store_reads');
  await t.pool.query(`alter table events alter column global_position restart with ${FIRST_POSITION}`);
  // Interleaved streams, as concurrent commands write them.
  const plan: [string, number][] = [
    [S2, 1],
    [S1, 1],
    [S2, 2],
    [S3, 1],
    [S1, 2],
    [S2, 3],
    [S1, 3],
    [S2, 4],
  ];
  for (const [streamId, version] of plan) {
    const data = { accountId: streamId, amount: `${version}.00`, note: 'Zoë "quoted" ✓', nested: { b: 1, a: [1, 2] } };
    const metadata = { traceparent: `00-${version}`, correlationId: randomUUID() };
    const eventId = randomUUID();
    const row = await t.db
      .insertInto('events')
      .values({ event_id: eventId, stream_id: streamId, version, type: 'MoneyDeposited', data: JSON.stringify(data), metadata: JSON.stringify(metadata) })
      .returning(['global_position', 'created_at'])
      .executeTakeFirstOrThrow();
    inserted.push({ position: BigInt(row.global_position), eventId, streamId, version, data, metadata, createdAt: row.created_at.toISOString() });
  }
});
afterAll(async () => {
  await t?.drop();
});

function expectMatches(events: readonly StoredEvent[], expected: typeof inserted): void {
  expect(events.map((e) => [e.streamId, e.version])).toEqual(expected.map((e) => [e.streamId, e.version]));
  events.forEach((event, i) => {
    const want = expected[i]!;
    expect(typeof event.position).toBe('bigint');
    expect(event.position).toBe(want.position);
    expect(event.eventId).toBe(want.eventId);
    expect(event.type).toBe('MoneyDeposited');
    expect(event.createdAt).toBe(want.createdAt);
    expect(typeof event.data).toBe('string');
    expect(JSON.parse(event.data)).toEqual(want.data);
    expect(typeof event.metadata).toBe('string');
    expect(JSON.parse(event.metadata)).toEqual(want.metadata);
    expect(event.committedAtMs).toBeUndefined();
  });
}

describe('readEventsAfter', () => {
  it('reads everything in position order, positions as exact bigints', async () => {
    const events = await readEventsAfter(t.db, 0n, 100);
    expect(events[0]!.position).toBe(FIRST_POSITION);
    expectMatches(events, inserted);
  });

  it('starts strictly after the given position and honours the limit', async () => {
    expectMatches(await readEventsAfter(t.db, inserted[2]!.position, 3), inserted.slice(3, 6));
    expect(await readEventsAfter(t.db, inserted[7]!.position, 10)).toEqual([]);
  });
});

describe('readVersionRanges', () => {
  it('reads the requested ranges of many streams, ordered by stream and version', async () => {
    const events = await readVersionRanges(t.db, [
      { streamId: S2, fromVersion: 2, toVersion: 3 },
      { streamId: S1, fromVersion: 1, toVersion: 99 },
      { streamId: S3, fromVersion: 2, toVersion: 5 },
      { streamId: randomUUID(), fromVersion: 1, toVersion: 5 },
    ]);
    const want = [...inserted.filter((e) => e.streamId === S1), ...inserted.filter((e) => e.streamId === S2 && e.version >= 2 && e.version <= 3)];
    expectMatches(events, want);
  });

  it('reads nothing for no ranges', async () => {
    expect(await readVersionRanges(t.db, [])).toEqual([]);
  });
});

describe('readStream', () => {
  it('reads one stream from a version on', async () => {
    expectMatches(await readStream(t.db, S2), inserted.filter((e) => e.streamId === S2));
    expectMatches(await readStream(t.db, S2, 3), inserted.filter((e) => e.streamId === S2 && e.version >= 3));
  });
});

describe('readUnappliedEventsAfter', () => {
  const all = () => readUnappliedEventsAfter(t.db, 0n, FIRST_POSITION + 100n, 100);

  it('skips what the read model applied and every event of a parked account', async () => {
    expect((await all()).map((e) => e.eventId)).toEqual(inserted.map((e) => e.eventId));
    // S1 projected up to version 2; S3 parked.
    await t.pool.query(
      `insert into account_projections (account_id, owner_name, balance, status, version, last_position, created_at, updated_at)
       values ($1, 'x', 0, 'active', 2, 0, now(), now())`,
      [S1],
    );
    await t.pool.query(
      `insert into parked_accounts (account_id, partition, code, message, failed_event_id, failed_version)
       values ($1, 0, 'EVENT_DATA_INVALID', 'test', $2, 1)`,
      [S3, inserted.find((e) => e.streamId === S3)!.eventId],
    );
    const expected = inserted.filter((e) => e.streamId === S2 || (e.streamId === S1 && e.version > 2));
    expect((await all()).map((e) => e.eventId)).toEqual(expected.map((e) => e.eventId));
  });
});
