import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { TEST_PG_ADMIN_URL, TEST_REDIS_URL, deleteRedisKeys, dropDatabase } from '@ledgerflow/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = path.resolve(__dirname, '../bin/ledgerflow.js');
const database = `lf_demo_e2e_${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  await dropDatabase(database);
  // The demo keeps its state for inspection; the test does not.
  await deleteRedisKeys(`ledgerflow-${database}`);
});

describe('ledgerflow demo (real api, ingest and projector processes)', () => {
  it('drives a workload through the whole pipeline and verifies with 0 mismatches', async () => {
    const { stdout } = await run(process.execPath, [bin, 'demo', '--accounts', '40', '--events', '2500', '--concurrency', '8', '--port', '0', '--database', database, '--timeout', '120'], {
      env: { ...process.env, DATABASE_URL: TEST_PG_ADMIN_URL, REDIS_URL: TEST_REDIS_URL, LEDGERFLOW_PARTITIONS: '4' },
      timeout: 240_000,
    });
    expect(stdout).toContain('verify: OK — 0 mismatches');
    const events = /verify: 40 accounts, ([\d,]+) events in the store/.exec(stdout);
    expect(events, stdout).not.toBeNull();
    expect(Number(events![1]!.replace(/,/g, ''))).toBeGreaterThanOrEqual(2500);
  }, 300_000);

  it('exits 2 with usage on an unknown command', async () => {
    await expect(run(process.execPath, [bin, 'no-such-command'])).rejects.toMatchObject({ code: 2 });
  });
});
