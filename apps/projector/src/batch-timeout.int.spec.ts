import { randomUUID } from 'node:crypto';
import { batchJobId, encodeBatch, planPartitionBatches, type StoredEvent } from '@ledgerflow/cdc-core';
import { verifyReadModels } from '@ledgerflow/sinks';
import { createTestDatabase, testRedisPrefix, waitFor, type TestDatabase } from '@ledgerflow/testkit';
import type { Queue } from 'bullmq';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRetryableError } from './classify-error';
import { projectBatchOutcome } from './project-batch';
import { startProjector, type Projector } from './projector';
import { accountOn, openQueues, testProjectorConfig } from './testing/fleet-fixtures';
import { accountRow, appendEvents, created, deposited, readModelState, streamEvents, transactionRows, withdrawn } from './testing/ledger-fixtures';

const P = 2;
const redis = testRedisPrefix('projector-timeouts');
const logger = pino({ level: 'silent' });
let tdb: TestDatabase;
let queues: Queue[] = [];
const running: Projector[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase('projector_timeouts');
  queues = openQueues(redis.prefix, P);
});

afterAll(async () => {
  await Promise.allSettled(running.map((p) => p.stop()));
  await Promise.allSettled(queues.map((q) => q.close()));
  await redis.cleanup();
  await tdb?.drop();
});

/** Enqueues like ingest, with the given fixed retry backoff (so a test knows when a failed job comes back). */
async function enqueueWithBackoff(events: readonly StoredEvent[], backoffMs: number, eventsPerJob = 2): Promise<void> {
  for (const b of planPartitionBatches(events, P, eventsPerJob)) {
    await queues[b.partition]!.add('batch', encodeBatch(b, Date.now()), { jobId: batchJobId(b), attempts: 20, backoff: { type: 'fixed', delay: backoffMs } });
  }
}

describe('batch time limits', () => {
  it('cancels a batch statement on the server at the batch limit: rolled back, retryable, nothing written', async () => {
    const id = randomUUID();
    await appendEvents(tdb.db, id, [created(id), deposited(id, '5.00')]);
    const events = await streamEvents(tdb.db, id);
    const before = await readModelState(tdb.db, [id], 1);
    const started = Date.now();
    const error = await projectBatchOutcome(tdb.db, 1, events, {
      timeouts: { batchMs: 200, commitMs: 1000 },
      beforeCommit: async ({ db }) => void (await sql`select pg_sleep(5)`.execute(db)),
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3000); // stopped by the server, not after the 5 s sleep
    expect(error).toMatchObject({ code: '57014' });
    expect(isRetryableError(error)).toBe(true);
    expect(await readModelState(tdb.db, [id], 1)).toEqual(before);
    // The limit was SET LOCAL: the connection keeps no statement_timeout of ours.
    const setting = await sql<{ t: string }>`select current_setting('statement_timeout') as t`.execute(tdb.db);
    expect(setting.rows[0]!.t).toBe('0');

    const retried = await projectBatchOutcome(tdb.db, 1, events, { timeouts: { batchMs: 200, commitMs: 1000 } });
    expect(retried.stats).toMatchObject({ applied: 2 });
  });

  it('refuses to commit a batch whose statements took longer than the batch limit all together', async () => {
    const id = randomUUID();
    await appendEvents(tdb.db, id, [created(id)]);
    const events = await streamEvents(tdb.db, id);
    const error = await projectBatchOutcome(tdb.db, 1, events, {
      timeouts: { batchMs: 100, commitMs: 1000 },
      beforeCommit: () => new Promise((r) => setTimeout(r, 200)), // each statement quick, the whole too slow
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TRANSIENT_FAILURE', retryable: true });
    expect(await accountRow(tdb.db, id)).toBeUndefined();
    await projectBatchOutcome(tdb.db, 1, events, { timeouts: { batchMs: 1000, commitMs: 1000 } });
    expect(await accountRow(tdb.db, id)).toMatchObject({ version: 1 });
  });

  it('retries a timed-out batch without reordering: later jobs of the same accounts go first, the retry is a no-op (G1, G2)', async () => {
    const ids = Array.from({ length: 4 }, () => accountOn(0, P));
    for (const id of ids) await appendEvents(tdb.db, id, [created(id, '10.00'), deposited(id, '2.00')]);
    const wave1 = (await Promise.all(ids.map((id) => streamEvents(tdb.db, id)))).flat();
    const wave1Ids = new Set(wave1.map((e) => e.eventId));
    let released = false;
    let entered!: () => void;
    const hookEntered = new Promise<void>((resolve) => (entered = resolve));
    const config = testProjectorConfig(tdb.url, redis.prefix, P, { LEDGERFLOW_PROJECTOR_BATCH_TIMEOUT_MS: '300' });
    const projector = await startProjector(config, {
      logger,
      // Every batch holding a first-wave event hangs (and is cancelled at 300 ms) until released.
      beforeCommit: async ({ db, events }) => {
        if (released || !events.some((e) => wave1Ids.has(e.eventId))) return;
        entered();
        await sql`select pg_sleep(5)`.execute(db);
      },
    });
    running.push(projector);

    await enqueueWithBackoff(wave1, 2000);
    await hookEntered;
    // While the first wave waits out its backoff, the same accounts move on.
    for (const id of ids) await appendEvents(tdb.db, id, [deposited(id, '3.00'), withdrawn(id, '1.50')]);
    const wave2 = (await Promise.all(ids.map((id) => streamEvents(tdb.db, id)))).flat().filter((e) => !wave1Ids.has(e.eventId));
    await enqueueWithBackoff(wave2, 100);
    await waitFor('the second wave to be projected ahead of the first', async () => (await Promise.all(ids.map((id) => accountRow(tdb.db, id)))).every((r) => r?.version === 4), 10_000, 50);
    const early = projector.stats();
    expect(early.rolledBack).toBeGreaterThanOrEqual(1);
    // The first wave's versions were read from the event store, in order, by the later batch.
    expect(early.repaired).toBe(wave1.length);

    released = true;
    await waitFor('the first wave to be retried', async () => projector.stats().duplicates >= wave1.length, 15_000, 50);
    await waitFor('the queue to drain', async () => {
      const counts = await queues[0]!.getJobCounts('wait', 'active', 'delayed', 'failed');
      return Object.values(counts).every((n) => n === 0);
    }, 10_000, 50);
    expect(projector.stats()).toMatchObject({ applied: wave1.length + wave2.length, duplicates: wave1.length });
    for (const id of ids) {
      expect(await accountRow(tdb.db, id)).toMatchObject({ version: 4, balance: '13.50' });
      const rows = await transactionRows(tdb.db, id);
      expect(rows.map((r) => r.balance_after)).toEqual(['12.00', '15.00', '13.50']); // applied in version order
    }
    expect((await verifyReadModels(tdb.db)).total).toBe(0);
  });
});
