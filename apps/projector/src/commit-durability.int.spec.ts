import { randomUUID } from 'node:crypto';
import { createTestDatabase, testRedisPrefix, waitFor, type TestDatabase } from '@ledgerflow/testkit';
import type { Queue } from 'bullmq';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjector } from './projector';
import { enqueue, openQueues, testProjectorConfig } from './testing/fleet-fixtures';
import { appendEvents, created, streamEvents } from './testing/ledger-fixtures';

/**
 * Decision 015 end to end through a running projector: the connections its fleet membership
 * opens for the partitions commit without waiting for the WAL flush by default, and wait when
 * LEDGERFLOW_PROJECTOR_SYNCHRONOUS_COMMIT=on. The fault-injection seam runs inside the batch's
 * own transaction, on the partition's lock connection, so it reads the setting there.
 */
const P = 2;
const redis = testRedisPrefix('projector-commit-durability');
let tdb: TestDatabase;
let queues: Queue[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase('projector_commit_durability');
  queues = openQueues(redis.prefix, P);
});

afterAll(async () => {
  await Promise.allSettled(queues.map((q) => q.close()));
  await redis.cleanup();
  await tdb?.drop();
});

/** Runs a projector with `env`, projects one new account, and returns the setting its batch saw. */
async function settingSeenByABatch(env: Record<string, string>): Promise<string> {
  const seen: string[] = [];
  const projector = await startProjector(testProjectorConfig(tdb.url, redis.prefix, P, env), {
    logger: pino({ level: 'silent' }),
    beforeCommit: async ({ db }) => void seen.push((await sql<{ c: string }>`select current_setting('synchronous_commit') as c`.execute(db)).rows[0]!.c),
  });
  try {
    const id = randomUUID();
    await appendEvents(tdb.db, id, [created(id)]);
    await enqueue(queues, await streamEvents(tdb.db, id));
    await waitFor('a projected batch', async () => seen.length > 0, 20_000, 20);
    return seen[0]!;
  } finally {
    await projector.stop();
  }
}

describe('projector commit durability (decision 015)', () => {
  it('partition connections commit asynchronously by default', async () => {
    expect(await settingSeenByABatch({})).toBe('off');
  }, 30_000);

  it('and synchronously with LEDGERFLOW_PROJECTOR_SYNCHRONOUS_COMMIT=on', async () => {
    expect(await settingSeenByABatch({ LEDGERFLOW_PROJECTOR_SYNCHRONOUS_COMMIT: 'on' })).toBe('on');
  }, 30_000);
});
