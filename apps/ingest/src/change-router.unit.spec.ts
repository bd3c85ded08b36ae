import type { Pgoutput } from 'pg-logical-replication';
import { describe, expect, it } from 'vitest';
import { ChangeRouter, type NonInsertChange } from './change-router';
import { newCounters } from './counters';
import { parseLsn } from './lsn';
import { TransactionBuffer } from './transaction-buffer';

const relation = (name: string): Pgoutput.MessageRelation => ({
  tag: 'relation',
  relationOid: 1,
  schema: 'public',
  name,
  replicaIdentity: 'default',
  columns: [],
  keyColumns: [],
});
const events = relation('events');
const row = (position: number, version: number) => ({
  global_position: String(position),
  event_id: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
  stream_id: 'AAAAAAAA-0000-4000-8000-000000000001',
  version,
  type: 'MoneyDeposited',
  data: '{"amount": "10.00"}',
  metadata: '{}',
  created_at: new Date('2026-01-01T00:00:00Z'),
});
// Commit time in µs since the Unix epoch, as the library delivers it.
const commitTime = 1_767_225_600_123_456n;
const begin: Pgoutput.MessageBegin = { tag: 'begin', commitLsn: '0/100', commitTime, xid: 7 };
const commit = (end: string): Pgoutput.MessageCommit => ({ tag: 'commit', flags: 0, commitLsn: '0/100', commitEndLsn: end, commitTime });

function setup() {
  const buffer = new TransactionBuffer();
  const counters = newCounters();
  const ignored: NonInsertChange[] = [];
  const observed = { read: [] as bigint[], walRead: [] as bigint[] };
  const router = new ChangeRouter(buffer, counters, (c) => ignored.push(c), { read: (e) => observed.read.push(e.position), walRead: (p) => observed.walRead.push(p) });
  return { buffer, counters, ignored, observed, router };
}

describe('ChangeRouter', () => {
  it('decodes inserts with their commit time and closes the transaction at its end LSN', () => {
    const { buffer, counters, observed, router } = setup();
    router.apply(begin, 0);
    router.apply(events, 0);
    router.apply({ tag: 'insert', relation: events, new: row(1, 1) }, 0);
    router.apply({ tag: 'insert', relation: events, new: row(2, 2) }, 0);
    expect(buffer.state()).toMatchObject({ readyEvents: 0, openEvents: 2 });
    router.apply(commit('0/1A8'), 42);
    const taken = buffer.take(false);
    expect(taken.ackPosition).toBe(parseLsn('0/1A8'));
    expect(taken.events.map((e) => [e.position, e.version, e.streamId, e.committedAtMs, e.data])).toEqual([
      [1n, 1, 'aaaaaaaa-0000-4000-8000-000000000001', 1_767_225_600_123, '{"amount": "10.00"}'],
      [2n, 2, 'aaaaaaaa-0000-4000-8000-000000000001', 1_767_225_600_123, '{"amount": "10.00"}'],
    ]);
    expect(counters).toMatchObject({ eventsRead: 2, transactions: 1, nonInsertChanges: 0 });
    // The metrics hear each event and the end of the commit (the WAL read position).
    expect(observed).toEqual({ read: [1n, 2n], walRead: [parseLsn('0/1A8')] });
  });

  it('counts and reports updates, deletes and truncates of events without buffering anything', () => {
    const { buffer, counters, ignored, router } = setup();
    router.apply(begin, 0);
    router.apply({ tag: 'update', relation: events, key: null, old: null, new: row(1, 1) }, 0);
    router.apply({ tag: 'delete', relation: events, key: { global_position: '1' }, old: null }, 0);
    router.apply({ tag: 'truncate', cascade: false, restartIdentity: false, relations: [events, relation('other')] }, 0);
    router.apply(commit('0/200'), 0);
    expect(ignored).toEqual([
      { kind: 'update', relation: 'public.events' },
      { kind: 'delete', relation: 'public.events' },
      { kind: 'truncate', relation: 'public.events' },
    ]);
    expect(counters.nonInsertChanges).toBe(3);
    expect(buffer.take(false)).toEqual({ events: [], ackPosition: 0x200n });
  });

  it('ignores rows of other tables', () => {
    const { buffer, counters, router } = setup();
    router.apply({ tag: 'insert', relation: relation('account_projections'), new: {} }, 0);
    expect(buffer.size).toBe(0);
    expect(counters.eventsRead).toBe(0);
  });

  it('refuses a row it cannot route instead of skipping it', () => {
    const { router } = setup();
    router.apply(begin, 0);
    expect(() => router.apply({ tag: 'insert', relation: events, new: { ...row(1, 1), stream_id: null } }, 0)).toThrow(/CDC_DECODE_FAILED|stream_id/);
  });
});
