import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createDb, migrateToLatest } from '@ledgerflow/sinks';
import { TEST_REDIS_URL, startPrivatePostgres, testRedisPrefix, waitFor, type PrivatePostgres } from '@ledgerflow/testkit';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestConfig } from './config';
import { startIngest, type IngestHandle } from './ingest';
import { parseLsn } from './lsn';
import { useRawJsonParsers } from './pg-json';
import { EventFactory, insertEvents, readJobs, storedEventIds, testIngestConfig, testLogger } from './testing/fixtures';

const PARTITIONS = 4;
let server: PrivatePostgres;
let pool: pg.Pool;
let config: IngestConfig;
let ingest: IngestHandle | undefined;
const fatal: Error[] = [];
const redis = testRedisPrefix('ingest-pg-restart');

beforeAll(async () => {
  useRawJsonParsers();
  // A server of this file's own: restarting it cannot hurt other test files.
  server = await startPrivatePostgres();
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query('create database ingest_pg_restart');
  // restart() blocks this process (ingest included) while the server shuts down, and a
  // shutting-down walsender waits for its client's reply up to wal_sender_timeout (60 s by
  // default); a short one keeps the test quick. Ingest answers keepalives well within it.
  await admin.query(`alter system set wal_sender_timeout = '3s'`);
  await admin.query('select pg_reload_conf()');
  await admin.end();
  const url = new URL(server.adminUrl);
  url.pathname = '/ingest_pg_restart';
  // Idle connections die with every restart: without a listener that would crash the test.
  pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  pool.on('error', () => undefined);
  const migrated = await migrateToLatest(createDb(pool) as Kysely<unknown>);
  if (migrated.error) throw migrated.error;
  config = testIngestConfig(url.toString(), TEST_REDIS_URL, redis.prefix, { LEDGERFLOW_INGEST_RETRY_INITIAL_MS: '100', LEDGERFLOW_INGEST_RETRY_MAX_MS: '1000' });
  ingest = await startIngest(config, { logger: testLogger, onFatal: (e) => fatal.push(e) });
});

afterAll(async () => {
  await ingest?.stop();
  await pool?.end().catch(() => undefined);
  server?.destroy();
  await redis.cleanup();
});

/** Inserts small transactions until stopped, riding out the server's downtime (failed inserts are retried). */
function continuousWriter() {
  const factory = new EventFactory(40);
  let running = true;
  let committed = 0;
  let failed = 0;
  const done = (async () => {
    while (running) {
      try {
        await insertEvents(pool, factory.batch(1 + (committed % 3)));
        committed++;
        // WAL that publishes nothing, as the projectors write: the server's send position then
        // runs ahead of the last event commit.
        await pool.query(`insert into projection_checkpoints (projection, partition) values ('test', 0)
          on conflict (projection, partition) do update set position = projection_checkpoints.position + 1`);
      } catch {
        failed++;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  })();
  return {
    committed: () => committed,
    failed: () => failed,
    async stop() {
      running = false;
      await done;
    },
  };
}

async function eventIdsInJobs(): Promise<Set<string>> {
  const jobs = (await readJobs(TEST_REDIS_URL, redis.prefix, PARTITIONS)).flat();
  return new Set(jobs.flatMap((j) => j.events.map((e) => e.eventId)));
}

/** Waits until every stored event is in some job (the store, not the writer, is the truth). */
async function expectEveryStoredEventEnqueued(): Promise<void> {
  const stored = await storedEventIds(pool);
  await waitFor('every stored event in a job', async () => {
    const enqueued = await eventIdsInJobs();
    return [...stored].every((id) => enqueued.has(id));
  }, 30_000, 100);
}

/** `pg_ctl stop -m fast` run asynchronously, so that this process (and ingest) keeps running. */
async function fastStopInBackground(timeoutSeconds: number): Promise<void> {
  const { rows } = await pool.query<{ data_directory: string }>('show data_directory');
  const version = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))[0]!;
  const pgCtl = path.join('/usr/lib/postgresql', version, 'bin', 'pg_ctl');
  const args = ['-D', rows[0]!.data_directory, '-w', '-t', String(timeoutSeconds), '-m', 'fast', 'stop'];
  // initdb and pg_ctl refuse to run as root; the private server belongs to postgres then.
  const isRoot = process.getuid?.() === 0;
  await promisify(execFile)(isRoot ? 'runuser' : pgCtl, isRoot ? ['-u', 'postgres', '--', pgCtl, ...args] : args);
}

describe('PostgreSQL restarts', () => {
  it('recovers by itself from a restart mid-stream and loses no event', async () => {
    const writer = continuousWriter();
    await waitFor('ingest busy', async () => ingest!.counters.eventsEnqueued >= 200, 20_000, 10);
    server.restart();
    const committedAtRestart = writer.committed();
    await waitFor('writes after the restart', async () => writer.committed() >= committedAtRestart + 100, 30_000, 20);
    await waitFor('a session restart', async () => ingest!.counters.sessionRestarts >= 1, 10_000, 20);
    // The new session confirms positions again (the slot keeps moving).
    const ackedAfterRestart = ingest!.counters.lastAckedLsn!;
    await waitFor('a newer confirmed position', async () => parseLsn(ingest!.counters.lastAckedLsn!) > parseLsn(ackedAfterRestart), 10_000, 20);
    await writer.stop();
    await expectEveryStoredEventEnqueued();
    expect(fatal).toEqual([]);
  });

  it('keeps retrying while the server is down, then resumes', async () => {
    const writer = continuousWriter();
    await waitFor('ingest busy', async () => writer.committed() >= 50, 20_000, 10);
    const restartsBefore = ingest!.counters.sessionRestarts;
    server.stop();
    // Several attempts fail against a server that is not there (backoff 100 ms → 1 s).
    await waitFor('failed attempts', async () => ingest!.counters.sessionRestarts >= restartsBefore + 3, 20_000, 20);
    server.start();
    const committedAtStart = writer.committed();
    await waitFor('writes after the start', async () => writer.committed() >= committedAtStart + 100, 30_000, 20);
    await writer.stop();
    expect(writer.failed()).toBeGreaterThan(0);
    await expectEveryStoredEventEnqueued();
    expect(fatal).toEqual([]);
  });

  it('does not hold up a fast shutdown of the server, and resumes after it', async () => {
    const before = continuousWriter();
    await waitFor('ingest busy', async () => before.committed() >= 100, 20_000, 10);
    await before.stop();
    // The last WAL publishes nothing: the server's position is ahead of the last event commit,
    // and a shutting-down server waits for its client to confirm exactly that position.
    await pool.query(`update projection_checkpoints set position = position + 1`);
    await new Promise((r) => setTimeout(r, 300));
    // Not server.stop(): that blocks this process, ingest included, and a blocked client
    // cannot answer the shutting-down server. pg_ctl gives up (and fails the test) after 10 s.
    const startedAt = Date.now();
    await fastStopInBackground(10);
    expect(Date.now() - startedAt).toBeLessThan(5000);
    server.start();
    const after = continuousWriter();
    await waitFor('writes after the start', async () => after.committed() >= 50, 30_000, 20);
    await after.stop();
    await expectEveryStoredEventEnqueued();
    expect(fatal).toEqual([]);
  });

  it('stops promptly while it waits for a server that is down', async () => {
    const restartsBefore = ingest!.counters.sessionRestarts;
    server.stop();
    await waitFor('failed attempts', async () => ingest!.counters.sessionRestarts >= restartsBefore + 2, 20_000, 20);
    const before = Date.now();
    await ingest!.stop();
    ingest = undefined;
    expect(Date.now() - before).toBeLessThan(3000);
    server.start();
  });
});
