import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '@ledgerflow/metrics/node';
import { TEST_REDIS_URL, createTestDatabase, freePort, testRedisPrefix, waitFor, type TestDatabase } from '@ledgerflow/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, stopApp, type AppName } from './shared/app-process';
import { slotStreams } from './shared/slot-streams';

/**
 * Issue 4's acceptance test, "one command followed through every stage": real api, ingest and
 * projector processes export their spans over OTLP/HTTP to a receiver in this test; one command
 * is sent and projected; its trace must be found again at every stage.
 */
const P = 2;
const SLOT = 'lf_trace_chain_e2e';
const token = randomBytes(24).toString('base64url');
const redisKeys = testRedisPrefix('trace-chain');
const logDir = mkdtempSync(path.join(tmpdir(), 'lf-trace-chain-'));
const children: ChildProcess[] = [];
let receiver: OtlpReceiver;
let tdb: TestDatabase;

/** What the pipeline left behind for the command: its request span, the spans exported, the event's metadata. */
let chain: { readonly request: ReceivedSpan; readonly spans: readonly ReceivedSpan[] };

const logs = () => readdirSync(logDir).map((f) => `--- ${f}\n${readFileSync(path.join(logDir, f), 'utf8').split('\n').slice(-30).join('\n')}`).join('\n');

function start(app: AppName, env: Record<string, string>): void {
  const common = {
    ...process.env,
    DATABASE_URL: tdb.url,
    REDIS_URL: TEST_REDIS_URL,
    LEDGERFLOW_PARTITIONS: String(P),
    LEDGERFLOW_REDIS_PREFIX: redisKeys.prefix,
    LOG_LEVEL: 'warn',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    // Export spans every 200 ms rather than every 5 s (the processes also flush when stopped).
    OTEL_BSP_SCHEDULE_DELAY: '200',
  };
  children.push(startApp(app, { ...common, ...env }, path.join(logDir, `${app}.log`)));
}

/** Runs the pipeline, sends one command, waits for its projection, stops everything and keeps the spans. */
async function followOneCommand(): Promise<typeof chain> {
  const apiPort = await freePort();
  start('api', { API_PORT: String(apiPort), API_TOKENS: `write:${token}` });
  start('ingest', { LEDGERFLOW_INGEST_OPS_PORT: '0', LEDGERFLOW_SLOT: SLOT });
  start('projector', { LEDGERFLOW_PROJECTOR_OPS_PORT: '0' });
  const api = `http://127.0.0.1:${apiPort}`;
  await waitFor('the API to be ready', async () => (await fetch(`${api}/readyz`)).ok, 60_000, 200);
  // Through the slot (the usual path), not the catch-up scan: wait for ingest to stream (not
  // merely for an active slot, see slotStreams: an event committed while the slot is created is
  // both scanned and streamed — two enqueues, harmless but not this test's path).
  await waitFor('ingest to stream from its slot', () => slotStreams(tdb.pool, SLOT), 60_000, 200);
  const res = await fetch(`${api}/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ ownerName: 'Traced all the way', initialBalance: '12.50' }),
  });
  expect(res.status).toBe(201);
  const { accountId } = (await res.json()) as { accountId: string };
  await waitFor('the account to be projected', async () => {
    const r = await sql<{ n: number }>`select count(*)::int as n from account_projections where account_id = ${accountId}::uuid`.execute(tdb.db);
    return r.rows[0]!.n === 1;
  }, 60_000, 100);
  const stored = await sql<{ metadata: { traceparent?: string } }>`select metadata from events where stream_id = ${accountId}::uuid`.execute(tdb.db);
  const [, traceId, spanId] = (stored.rows[0]?.metadata.traceparent ?? '').split('-');
  // A graceful stop flushes each process's last spans.
  expect(await Promise.all(children.splice(0).map((c) => stopApp(c, 15_000)))).toEqual([0, 0, 0]);
  const spans = receiver.spans();
  const request = spans.find((s) => s.traceId === traceId && s.spanId === spanId);
  if (!request) throw new Error(`no exported span matches the event's traceparent ${stored.rows[0]?.metadata.traceparent}`);
  return { request, spans };
}

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  tdb = await createTestDatabase('trace_chain');
  try {
    chain = await followOneCommand();
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${logs()}`);
  }
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(children.map((c) => stopApp(c, 5000)));
  await redisKeys.cleanup();
  await tdb?.drop(); // also drops ingest's slot
  await receiver?.close();
});

const statementOf = (span: ReceivedSpan) => String(span.attributes['db.query.text'] ?? span.attributes['db.statement'] ?? '');
const linksTo = (span: ReceivedSpan, target: ReceivedSpan) => span.links.some((l) => l.traceId === target.traceId && l.spanId === target.spanId);

/** True when `ancestorId` is on the parent chain of `span` (within its trace). */
function descendsFrom(span: ReceivedSpan, ancestorId: string, spans: readonly ReceivedSpan[]): boolean {
  const byId = new Map(spans.filter((s) => s.traceId === span.traceId).map((s) => [s.spanId, s]));
  for (let parent = span.parentSpanId; parent !== undefined; parent = byId.get(parent)?.parentSpanId) {
    if (parent === ancestorId) return true;
  }
  return false;
}

describe('one command followed through every stage (real processes, OTLP export)', () => {
  it('API: the request span wrote its traceparent into the event, and the INSERT into events runs under it', () => {
    const { request, spans } = chain;
    expect(request).toMatchObject({ serviceName: 'ledgerflow-api', name: 'POST /accounts' });
    const inserts = spans.filter((s) => s.serviceName === 'ledgerflow-api' && /insert into events/i.test(statementOf(s)));
    expect(inserts.filter((s) => s.traceId === request.traceId && descendsFrom(s, request.spanId, spans))).toHaveLength(1);
  });

  it('projector: one batch span links to the request, and the upserts of its transaction are its children', () => {
    const { request, spans } = chain;
    const batches = spans.filter((s) => s.serviceName === 'ledgerflow-projector' && s.name === 'projector.batch' && linksTo(s, request));
    expect(batches).toHaveLength(1);
    const batch = batches[0]!;
    expect(batch.traceId).not.toBe(request.traceId); // linked, not parented: a batch has many parents
    expect(batch.attributes).toMatchObject({ 'ledgerflow.events': 1, 'ledgerflow.applied': 1 });
    const children = spans.filter((s) => s.parentSpanId === batch.spanId && s.traceId === batch.traceId).map(statementOf);
    expect(children.some((s) => /insert into account_projections/i.test(s)), children.join('\n')).toBe(true);
    expect(children.some((s) => /insert into projection_checkpoints/i.test(s))).toBe(true);
  });

  it('ingest: the enqueue span links to the request, and the projector batch links back to that enqueue', () => {
    const { request, spans } = chain;
    const enqueues = spans.filter((s) => s.serviceName === 'ledgerflow-ingest' && s.name === 'ingest.enqueue' && linksTo(s, request));
    // Says what ingest exported if this fails.
    const ingestSpans = spans.filter((s) => s.serviceName === 'ledgerflow-ingest').map((s) => ({ name: s.name, spanId: s.spanId, links: s.links.length }));
    expect(enqueues, JSON.stringify(ingestSpans)).toHaveLength(1);
    const enqueue = enqueues[0]!;
    // The enqueue span's context travels in the job (opts.telemetry.metadata); the batch links to it.
    const batch = spans.find((s) => s.name === 'projector.batch' && linksTo(s, request));
    if (!batch) throw new Error(`no projector.batch span links to the request; projector spans: ${JSON.stringify(spans.filter((s) => s.serviceName === 'ledgerflow-projector').map((s) => s.name))}`);
    const producerLinks = batch.links.filter((l) => l.traceId === enqueue.traceId);
    expect(producerLinks.length, JSON.stringify(batch.links)).toBeGreaterThan(0);
    for (const link of producerLinks) {
      const producer = spans.find((s) => s.traceId === link.traceId && s.spanId === link.spanId);
      expect(producer && (producer.spanId === enqueue.spanId || descendsFrom(producer, enqueue.spanId, spans))).toBe(true);
    }
  });
});
