import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { TEST_REDIS_URL, createTestDatabase, testRedisPrefix, waitFor, type TestDatabase } from '@ledgerflow/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** main.ts as a process: telemetry first, the ops server, and the ops port of several projectors on one host. */
const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.resolve(__dirname, 'main.ts');
const redis = testRedisPrefix('projector-main');
let tdb: TestDatabase;
const children: ChildProcess[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase('projector_main');
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await redis.cleanup();
  await tdb?.drop();
});

interface Running {
  readonly child: ChildProcess;
  readonly lines: () => Array<Record<string, unknown>>;
  readonly exited: Promise<number | null>;
}

function run(env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', MAIN], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: tdb.url, REDIS_URL: TEST_REDIS_URL, LEDGERFLOW_PARTITIONS: '2', LEDGERFLOW_REDIS_PREFIX: redis.prefix, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = () => output.split('\n').flatMap((l) => (l.startsWith('{') ? [JSON.parse(l) as Record<string, unknown>] : []));
  return { child, lines, exited };
}

const opsPortOf = (p: Running) => waitFor('the ops server to listen', async () => p.lines().find((l) => l['msg'] === 'ops server listening: /healthz, /readyz, /metrics')?.['port'] as number | undefined, 30_000, 100);

describe('projector process', () => {
  it('serves /healthz, /readyz and /metrics; a second projector on the host takes a free port when none is set; a port set and taken refuses to start', async () => {
    const a = run();
    const portA = await opsPortOf(a);
    await waitFor('A to be ready', async () => (await fetch(`http://127.0.0.1:${portA}/readyz`)).status === 200, 30_000, 100);
    const metrics = await (await fetch(`http://127.0.0.1:${portA}/metrics`)).text();
    expect(metrics).toMatch(/target_info\{service_name="ledgerflow-projector"/);
    expect(metrics).toContain('ledgerflow_projector_parked_accounts{app="projector"} 0');

    const b = run();
    const portB = await opsPortOf(b);
    expect(portB).not.toBe(portA);
    expect((await fetch(`http://127.0.0.1:${portB}/healthz`)).status).toBe(200);

    const c = run({ LEDGERFLOW_PROJECTOR_OPS_PORT: String(portA) });
    expect(await c.exited).toBe(1);
    expect(JSON.stringify(c.lines())).toMatch(/LEDGERFLOW_PROJECTOR_OPS_PORT: cannot listen on 127\.0\.0\.1:\d+/);

    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0]);
  }, 90_000);
});
