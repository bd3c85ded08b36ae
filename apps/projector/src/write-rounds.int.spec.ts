import { randomUUID } from 'node:crypto';
import { isLedgerflowError } from '@ledgerflow/cdc-core';
import { verifyReadModels } from '@ledgerflow/sinks';
import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECTOR_LOCK_NAMESPACE } from './fleet/fleet-rules';
import { PartitionLease } from './fleet/partition-lease';
import { projectBatchOutcome, type BatchOutcome } from './project-batch';
import { projectCommonRound } from './project-round';
import { allEvents, appendEvents, accountRow, created, deposited, withdrawn } from './testing/ledger-fixtures';
import { WriteRounds } from './write-rounds';
import { WriterConnection } from './writer-connection';

const logger = pino({ level: 'silent' });
const timeouts = { batchMs: 5000, commitMs: 2000 };
let tdb: TestDatabase;
let writer: WriterConnection;
const leases: PartitionLease[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase('projector_write_rounds');
  writer = new WriterConnection({ databaseUrl: tdb.url, applicationName: 'lf-projector:rounds-test', statementTimeoutMs: 5000, synchronousCommit: false, logger });
  for (const p of [0, 1, 2]) leases.push((await PartitionLease.tryAcquire(p, { databaseUrl: tdb.url, applicationName: 'lf-projector:rounds-test', onLost: () => undefined }))!);
});
afterAll(async () => {
  await writer?.close();
  await Promise.all(leases.map((l) => l.release()));
  await tdb?.drop();
});

const eventsOf = async (account: string) => (await allEvents(tdb.db)).filter((e) => e.streamId === account);
const checkpoints = async () =>
  Object.fromEntries((await sql<{ partition: number; events_applied: string }>`select partition, events_applied from projection_checkpoints order by partition`.execute(tdb.db)).rows.map((r) => [r.partition, Number(r.events_applied)]));

describe('projectCommonRound', () => {
  it("writes several partitions' batches with one read and one write, each checkpoint where its batch got", async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await appendEvents(tdb.db, a, [created(a), deposited(a, '10.00')]);
    await appendEvents(tdb.db, b, [created(b), withdrawn(b, '0.50')]);
    await appendEvents(tdb.db, c, [created(c)]);
    const batches = [
      { partition: 0, lockPid: leases[0]!.pid, events: await eventsOf(a) },
      { partition: 1, lockPid: leases[1]!.pid, events: await eventsOf(b) },
      { partition: 2, lockPid: leases[2]!.pid, events: await eventsOf(c) },
    ];
    const outcomes = await projectCommonRound(await writer.db(), batches, { lockNamespace: PROJECTOR_LOCK_NAMESPACE, timeouts });
    expect(outcomes.map((o) => o?.stats.applied)).toEqual([2, 2, 1]);
    expect(await checkpoints()).toEqual({ 0: 2, 1: 2, 2: 1 });
    expect((await accountRow(tdb.db, a))?.balance).toBe('110.00');
    expect((await accountRow(tdb.db, b))?.balance).toBe('99.50');
    expect((await verifyReadModels(tdb.db)).total).toBe(0);
    // Delivered again: every event is a duplicate, nothing is written.
    const again = await projectCommonRound(await writer.db(), batches, { lockNamespace: PROJECTOR_LOCK_NAMESPACE, timeouts });
    expect(again.map((o) => [o?.stats.applied, o?.stats.duplicates])).toEqual([[0, 2], [0, 2], [0, 1]]);
    expect(await checkpoints()).toEqual({ 0: 2, 1: 2, 2: 1 });
  });

  it('refuses the whole write when one partition lock is not held by the pid given (a fenced-off member)', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await appendEvents(tdb.db, a, [created(a)]);
    await appendEvents(tdb.db, b, [created(b)]);
    const before = await checkpoints();
    const batches = [
      { partition: 0, lockPid: leases[0]!.pid, events: await eventsOf(a) },
      { partition: 1, lockPid: leases[2]!.pid, events: await eventsOf(b) }, // partition 1's lock is on another connection
    ];
    const error = await projectCommonRound(await writer.db(), batches, { lockNamespace: PROJECTOR_LOCK_NAMESPACE, timeouts }).catch((e: unknown) => e);
    expect(isLedgerflowError(error, 'PARTITION_LOCK_LOST')).toBe(true);
    expect((error as { retryable?: boolean }).retryable).toBe(true);
    expect(await accountRow(tdb.db, a)).toBeUndefined(); // nothing of the round landed
    expect(await checkpoints()).toEqual(before);
  });

  it('cannot commit once a partition lock connection was terminated (the fence of a stalled member)', async () => {
    const lease = (await PartitionLease.tryAcquire(5, { databaseUrl: tdb.url, applicationName: 'lf-projector:fenced', onLost: () => undefined }))!;
    const a = randomUUID();
    await appendEvents(tdb.db, a, [created(a)]);
    await sql`select pg_terminate_backend(${lease.pid}::int, 5000)`.execute(tdb.db);
    const error = await projectCommonRound(await writer.db(), [{ partition: 5, lockPid: lease.pid, events: await eventsOf(a) }], { lockNamespace: PROJECTOR_LOCK_NAMESPACE, timeouts }).catch((e: unknown) => e);
    expect(isLedgerflowError(error, 'PARTITION_LOCK_LOST')).toBe(true);
    expect(await accountRow(tdb.db, a)).toBeUndefined();
    await lease.close();
  });

  it('leaves a batch with a parked account out (undefined) and writes the others', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await appendEvents(tdb.db, a, [created(a), deposited(a, '1.00')]);
    await appendEvents(tdb.db, b, [created(b)]);
    await sql`insert into parked_accounts (account_id, partition, code, message, details, failed_event_id, failed_version)
              values (${a}::uuid, 0, 'EVENT_INVALID', 'test', '{}'::jsonb, ${randomUUID()}::uuid, 1)`.execute(tdb.db);
    const batches = [
      { partition: 0, lockPid: leases[0]!.pid, events: await eventsOf(a) },
      { partition: 1, lockPid: leases[1]!.pid, events: await eventsOf(b) },
    ];
    const outcomes = await projectCommonRound(await writer.db(), batches, { lockNamespace: PROJECTOR_LOCK_NAMESPACE, timeouts });
    expect(outcomes[0]).toBeUndefined();
    expect(outcomes[1]?.stats.applied).toBe(1);
    expect(await accountRow(tdb.db, a)).toBeUndefined();
    expect((await accountRow(tdb.db, b))?.version).toBe(1);
  });
});

describe('WriteRounds', () => {
  const rounds = (aloneFromEvents = 1000) => new WriteRounds({ writer, lockNamespace: PROJECTOR_LOCK_NAMESPACE, timeouts, maxRoundEvents: 1000, aloneFromEvents, logger });

  it('gathers the batches that wait while a round is in flight into the next one, and only sends a batch alone when it must', async () => {
    const accounts = Array.from({ length: 6 }, () => randomUUID());
    for (const a of accounts) await appendEvents(tdb.db, a, [created(a), deposited(a, '5.00')]);
    const r = rounds();
    const alone: number[] = [];
    const requests = await Promise.all(
      accounts.map(async (a, i) => {
        const partition = i % 3;
        const events = await eventsOf(a);
        return { partition, lockPid: leases[partition]!.pid, events, alone: () => (alone.push(i), projectBatchOutcome(leases[partition]!.db, partition, events)) };
      }),
    );
    // Submitted together: the first starts a round at once, the other five share the next.
    const outcomes: BatchOutcome[] = await Promise.all(requests.map((q) => r.project(q)));
    expect(outcomes.map((o) => o.stats.applied)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(alone).toEqual([]);
    expect(r.stats()).toEqual({ rounds: 2, batches: 6, alone: 0 });
    for (const a of accounts) expect(await accountRow(tdb.db, a)).toMatchObject({ balance: '105.00', version: 2 });
  });

  it('sends every batch of a failed round alone, so each error reaches its own batch', async () => {
    const [x, a, b] = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of [x, a, b]) await appendEvents(tdb.db, id, [created(id)]);
    const [ex, ea, eb] = await Promise.all([eventsOf(x), eventsOf(a), eventsOf(b)]);
    const r = rounds();
    const alone: string[] = [];
    const fenced = new Error('partition 1 is not ours any more');
    const results = await Promise.allSettled([
      // Starts a round of its own at once; a and b then share the next one.
      r.project({ partition: 2, lockPid: leases[2]!.pid, events: ex, alone: async () => (alone.push('x'), projectBatchOutcome(leases[2]!.db, 2, ex)) }),
      r.project({ partition: 0, lockPid: leases[0]!.pid, events: ea, alone: async () => (alone.push('a'), projectBatchOutcome(leases[0]!.db, 0, ea)) }),
      // A wrong lock pid fails the round's write; alone, this batch fails on its own.
      r.project({ partition: 1, lockPid: leases[2]!.pid, events: eb, alone: async () => (alone.push('b'), Promise.reject(fenced)) }),
    ]);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { stats: { applied: 1 } } });
    expect(results[1]).toMatchObject({ status: 'fulfilled', value: { stats: { applied: 1 } } });
    expect(results[2]).toMatchObject({ status: 'rejected', reason: fenced });
    expect(alone.sort()).toEqual(['a', 'b']);
    expect(r.stats()).toEqual({ rounds: 2, batches: 3, alone: 2 });
    expect((await accountRow(tdb.db, a))?.version).toBe(1);
    expect(await accountRow(tdb.db, b)).toBeUndefined();
  });

  it('sends a batch at least aloneFromEvents big alone at once, without a round', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await appendEvents(tdb.db, a, [created(a), deposited(a, '1.00'), deposited(a, '2.00')]);
    await appendEvents(tdb.db, b, [created(b)]);
    const [ea, eb] = await Promise.all([eventsOf(a), eventsOf(b)]);
    const r = rounds(3);
    const alone: string[] = [];
    const outcomes = await Promise.all([
      r.project({ partition: 0, lockPid: leases[0]!.pid, events: ea, alone: () => (alone.push('a'), projectBatchOutcome(leases[0]!.db, 0, ea)) }),
      r.project({ partition: 1, lockPid: leases[1]!.pid, events: eb, alone: () => (alone.push('b'), projectBatchOutcome(leases[1]!.db, 1, eb)) }),
    ]);
    expect(outcomes.map((o) => o.stats.applied)).toEqual([3, 1]);
    expect(alone).toEqual(['a']);
    expect(r.stats()).toEqual({ rounds: 1, batches: 1, alone: 1 });
  });
});
