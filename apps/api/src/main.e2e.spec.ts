import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startOtlpReceiver, type OtlpReceiver } from '@ledgerflow/metrics/node';
import { createTestDatabase, freePort, waitFor, type TestDatabase } from '@ledgerflow/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, TEST_API_TOKENS, TEST_TOKENS } from './testing/tokens';

/**
 * The real API process (`node --require tsx/cjs src/main.ts`): proves that main.ts starts
 * telemetry before pg and http load, so the require hooks instrument them (no test trick).
 */
const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.resolve(__dirname, 'main.ts');
let tdb: TestDatabase;
let receiver: OtlpReceiver;
let child: ChildProcess;
let base: string;
const output: string[] = [];

beforeAll(async () => {
  [tdb, receiver] = await Promise.all([createTestDatabase('api_e2e_otel'), startOtlpReceiver()]);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    DATABASE_URL: tdb.url,
    API_PORT: String(port),
    API_TOKENS: TEST_API_TOKENS,
    API_AUTH_DISABLED: '',
    LOG_LEVEL: 'warn',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_SERVICE_NAME: 'ledgerflow-api-e2e',
  };
  child = spawn(process.execPath, ['--require', 'tsx/cjs', MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  await waitFor(`the API to be ready (output: ${output.join('')})`, async () => (await fetch(`${base}/readyz`)).status === 200, 30_000);
});
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await receiver?.close();
  await tdb?.drop();
});

const exited = (c: ChildProcess) => new Promise<number | null>((resolve) => (c.exitCode !== null ? resolve(c.exitCode) : c.once('exit', resolve)));

describe('api process', () => {
  it('traces http → route → pg, writes the trace into the event, serves /metrics, flushes spans on SIGTERM', async () => {
    const res = await fetch(`${base}/accounts`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer('write') }, body: JSON.stringify({ ownerName: 'Ada', initialBalance: '1.00' }) });
    expect(res.status).toBe(201);
    const { eventIds } = (await res.json()) as { eventIds: string[] };
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('ledgerflow_api_commands_total{command="OpenAccount",code="OK",app="api"} 1');
    expect(metrics).toMatch(/^ledgerflow_pg_operation_duration_seconds_count\{/m);

    child.kill('SIGTERM');
    expect(await exited(child), output.join('')).toBe(0);
    for (const token of Object.values(TEST_TOKENS)) expect(output.join('')).not.toContain(token);
    const spans = receiver.spans().filter((s) => s.serviceName === 'ledgerflow-api-e2e');
    const route = spans.find((s) => s.name === 'POST /accounts');
    expect(route, JSON.stringify(spans.map((s) => s.name))).toBeDefined();
    const server = spans.find((s) => s.spanId === route!.parentSpanId);
    expect(server?.name).toBe('POST'); // the http instrumentation's server span
    const inserts = spans.filter((s) => s.parentSpanId === route!.spanId && s.name.startsWith('pg.query:INSERT'));
    expect(inserts.length).toBeGreaterThan(0);
    expect(spans.some((s) => s.attributes['url.path'] === '/readyz' || s.attributes['http.target'] === '/readyz')).toBe(false);
    const rows = await sql<{ metadata: { traceparent?: string } }>`select metadata from events where event_id = any(${eventIds}::uuid[])`.execute(tdb.db);
    expect(rows.rows[0]!.metadata.traceparent).toBe(`00-${route!.traceId}-${route!.spanId}-01`);
  });
});
