import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { readEventsAfter, verifyReadModels } from '@ledgerflow/sinks';
import { TEST_REDIS_URL, createTestDatabase, testRedisPrefix, waitFor, type TestDatabase } from '@ledgerflow/testkit';
import type { Queue } from 'bullmq';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue, eventsApplied, lockHolders, openQueues } from './testing/fleet-fixtures';
import { appendEvents, created, deposited } from './testing/ledger-fixtures';

/**
 * Real projector processes with the DEFAULT fleet timings (heartbeat 1 s, member timeout 6 s,
 * rebalancing 1 s): kill -9 and SIGSTOP of a member, and the 10 s takeover budget.
 */
const P = 4;
const BUDGET_MS = 10_000;
const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.resolve(__dirname, 'main.ts');
const redis = testRedisPrefix('projector-e2e');
let tdb: TestDatabase;
let queues: Queue[] = [];
const children: ChildProcess[] = [];
const output: string[] = [];
let stopFeeding: (() => Promise<number>) | undefined;

beforeAll(async () => {
  tdb = await createTestDatabase('projector_e2e');
  queues = openQueues(redis.prefix, P);
});

afterAll(async () => {
  await stopFeeding?.();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.allSettled(queues.map((q) => q.close()));
  await redis.cleanup();
  await tdb?.drop();
});

function spawnProjector(): ChildProcess {
  const env = {
    ...process.env,
    DATABASE_URL: tdb.url,
    REDIS_URL: TEST_REDIS_URL,
    LEDGERFLOW_PARTITIONS: String(P),
    LEDGERFLOW_REDIS_PREFIX: redis.prefix,
    // Several projectors on one host: each needs an ops port of its own.
    LEDGERFLOW_PROJECTOR_OPS_PORT: '0',
    LOG_LEVEL: 'warn',
  };
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => output.push(`[${child.pid}] ${d.toString()}`));
  child.stderr!.on('data', (d: Buffer) => output.push(`[${child.pid}] ${d.toString()}`));
  children.push(child);
  return child;
}

/** The member id of a child process, once it has written its row. */
async function memberOf(child: ChildProcess): Promise<string> {
  return waitFor(`process ${child.pid} to join`, async () => {
    const r = await sql<{ member_id: string }>`select member_id from projector_members where os_pid = ${child.pid!}`.execute(tdb.db);
    return r.rows[0]?.member_id;
  }, 30_000, 100);
}

/** Waits until the server's locks split the partitions evenly between exactly these members. */
async function waitForSplit(members: readonly string[], what: string, timeoutMs = 30_000): Promise<number> {
  const started = Date.now();
  await waitFor(what, async () => {
    const holders = [...(await lockHolders(tdb.db)).values()];
    return holders.length === P && members.every((m) => holders.filter((h) => h === m).length === P / members.length);
  }, timeoutMs, 100);
  return Date.now() - started;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Appends and enqueues events for a pool of accounts, as ingest would, until stopped. */
function feed(): () => Promise<number> {
  const accounts = Array.from({ length: 24 }, () => randomUUID());
  const versions = new Map<string, number>();
  let last = 0n;
  let total = 0;
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      const id = accounts[total % accounts.length]!;
      const v = versions.get(id) ?? 0;
      await appendEvents(tdb.db, id, [v === 0 ? created(id) : deposited(id, '0.50')]);
      versions.set(id, v + 1);
      const fresh = await readEventsAfter(tdb.db, last, 10_000);
      last = fresh.at(-1)?.position ?? last;
      await enqueue(queues, fresh, 5);
      total += fresh.length;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return async () => {
    stopping = true;
    await loop;
    return total;
  };
}

describe('projector fleet, real processes (G3, G6)', () => {
  it('takes over from a killed and from a frozen member within the budget, fences the frozen one, and loses nothing', async () => {
    stopFeeding = feed();
    const a = spawnProjector();
    const b = spawnProjector();
    const [idA, idB] = await Promise.all([memberOf(a), memberOf(b)]);
    await waitForSplit([idA, idB], 'A and B to split the partitions');

    a.kill('SIGKILL');
    const afterKill = await waitForSplit([idB], 'B to take over from the killed A', BUDGET_MS + 5000);
    expect(afterKill).toBeLessThan(BUDGET_MS);

    const c = spawnProjector();
    const idC = await memberOf(c);
    await waitForSplit([idB, idC], 'C to take its share from B');

    c.kill('SIGSTOP');
    const afterStop = await waitForSplit([idB], 'B to fence off the frozen C and take over', BUDGET_MS + 5000);
    expect(afterStop).toBeLessThan(BUDGET_MS);
    const cSessions = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where application_name = ${`lf-projector:${idC}`} and datname = current_database()`.execute(tdb.db);
    expect(cSessions.rows[0]!.n).toBe(0);

    c.kill('SIGCONT');
    await waitForSplit([idB, idC], 'C to wake up, rejoin and get its share back');

    const total = await stopFeeding();
    stopFeeding = undefined;
    await waitFor('every event to be projected once', async () => (await eventsApplied(tdb.db)) === total, 30_000, 200);
    expect((await verifyReadModels(tdb.db)).total).toBe(0);

    b.kill('SIGTERM');
    c.kill('SIGTERM');
    expect(await Promise.all([exited(b), exited(c)])).toEqual([0, 0]);
    expect(await lockHolders(tdb.db)).toEqual(new Map());
    const rows = await sql<{ n: number }>`select count(*)::int as n from projector_members`.execute(tdb.db);
    expect(rows.rows[0]!.n).toBe(0); // the graceful ones left, the killed A was forgotten by B
  }, 120_000);
});
