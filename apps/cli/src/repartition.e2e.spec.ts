import { readPartitionCount, readPipelineStatus } from '@ledgerflow/sinks';
import { waitFor } from '@ledgerflow/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackgroundLoad } from './testing/background-load';
import { PipelineHarness } from './testing/pipeline-harness';
import { runCli } from './testing/run-cli';

/**
 * Changing the partition count of a running pipeline, the way README and `ledgerflow partitions
 * --help` say: refused while it runs; stop ingest (commands go on, their events wait in the
 * slot), let the projectors empty the queues, stop them, set the new count, start everything
 * again without LEDGERFLOW_PARTITIONS. The read models must end equal to the fold of the store.
 */
let h: PipelineHarness;
let accounts: string[] = [];

beforeAll(async () => {
  h = await PipelineHarness.start(4);
  h.start('api');
  accounts = await h.openAccounts(30, 'Repartition');
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

const partitionsCli = (...args: string[]) => runCli({ DATABASE_URL: h.databaseUrl, REDIS_URL: h.redisServer.url, LEDGERFLOW_PARTITIONS: '' }, ['partitions', ...args]);

async function loadFor(ms: number, seed: number): Promise<void> {
  const load = new BackgroundLoad(h.api(), accounts, seed);
  load.start();
  await new Promise((r) => setTimeout(r, ms));
  await load.stop();
  expect(load.accepted).toBeGreaterThan(0);
}

describe('changing the partition count of a running pipeline', () => {
  it('is refused while it runs, and after a drain moves every account to the new partitions without a mismatch', async () => {
    const ingest = h.start('ingest');
    const projector = h.start('projector');
    await loadFor(2000, 1);
    await h.waitForCatchUp(90_000);
    expect(await readPartitionCount(h.db)).toBe(4);

    const refused = await partitionsCli('set', '8');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('ingest is running');
    expect(refused.stderr).toContain('projectors are running');

    // The drain: ingest stops first; commands go on and their events wait in the slot.
    expect(await h.kill(ingest, 'SIGTERM')).toBe(0);
    await loadFor(1000, 2);
    await waitFor('the queues to empty', async () => (await h.probe.queueDepth()) === 0, 60_000, 200);
    expect(await h.kill(projector, 'SIGTERM')).toBe(0);
    const set = await partitionsCli('set', '8');
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(await readPartitionCount(h.db)).toBe(8);

    // Everything again, with the count left unset: the processes follow the database.
    h.start('ingest', { LEDGERFLOW_PARTITIONS: '' });
    h.start('projector', { LEDGERFLOW_PARTITIONS: '' });
    await loadFor(2000, 3);
    await h.waitForCatchUp(90_000, 8);
    // The restarted projector holds the lock of each of the eight partitions.
    const status = await readPipelineStatus(h.db, 8);
    expect(status.partitions.filter((p) => p.owner !== null).map((p) => p.partition)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // Partitions 4–7 exist only under the new count: they applied events after the change.
    const moved = await sql<{ n: string }>`select coalesce(sum(events_applied), 0) as n from projection_checkpoints where partition >= 4`.execute(h.db);
    expect(Number(moved.rows[0]!.n)).toBeGreaterThan(0);
    const report = await h.verify();
    expect(report.samples).toEqual([]);
    expect(report.total).toBe(0);
    expect(report.mismatches.brokenStreams).toBe(0);
    expect(report.accountRows).toBe(accounts.length);
  }, 240_000);
});
