import { createRequire } from 'node:module';
import {
  InMemorySpanExporter,
  promtoolCheck,
  SimpleSpanProcessor,
  startOtlpReceiver,
  startTelemetry,
  type OtlpReceiver,
  type ReadableSpan,
  type Telemetry,
} from '@ledgerflow/metrics/node';
import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from './server';
import { bearer, TEST_AUTH } from './testing/tokens';

const memory = new InMemorySpanExporter();
let receiver: OtlpReceiver;
let telemetry: Telemetry;
let tdb: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  telemetry = startTelemetry({
    serviceName: 'ledgerflow-api',
    app: 'api',
    otlpTracesUrl: receiver.tracesUrl,
    spanProcessors: [new SimpleSpanProcessor(memory)],
    log: () => undefined,
  });
  // main.ts loads pg after telemetry through require, which lets the instrumentation patch it;
  // vitest imports modules as ESM, which require hooks never see, so require it once by hand.
  createRequire(__filename)('pg');
  tdb = await createTestDatabase('api_observability');
  app = buildServer({ db: tdb.db, auth: TEST_AUTH, metrics: telemetry.collectMetrics });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await tdb?.drop();
  await telemetry?.shutdown();
  await receiver?.close();
});
beforeEach(() => memory.reset());

const metadataOf = async (eventIds: readonly string[]) =>
  (await sql<{ metadata: Record<string, string> }>`select metadata from events where event_id = any(${[...eventIds]}::uuid[])`.execute(tdb.db)).rows.map((r) => r.metadata);

const requestSpan = (name: string): ReadableSpan => {
  const spans = memory.getFinishedSpans().filter((s) => s.name === name);
  expect(spans, `one span named ${name}`).toHaveLength(1);
  return spans[0]!;
};
const traceparentOf = (span: ReadableSpan) => `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;

describe('trace context in events', () => {
  it("a command's events carry the traceparent of the request span; its SQL runs under that span", async () => {
    const res = await app.inject({ method: 'POST', url: '/accounts', payload: { ownerName: 'Ada', initialBalance: '10.00' }, headers: bearer('write') });
    expect(res.statusCode).toBe(201);
    const [metadata] = await metadataOf(res.json().eventIds);
    const span = requestSpan('POST /accounts');
    expect(metadata!['traceparent']).toBe(traceparentOf(span));
    expect(span.attributes).toMatchObject({ 'http.route': '/accounts', 'http.response.status_code': 201 });
    const queries = memory.getFinishedSpans().filter((s) => s.instrumentationScope.name === '@opentelemetry/instrumentation-pg');
    expect(queries.length).toBeGreaterThan(0);
    for (const query of queries) expect(query.spanContext().traceId).toBe(span.spanContext().traceId);
    expect(queries.some((q) => q.parentSpanContext?.spanId === span.spanContext().spanId)).toBe(true);
  });

  it("continues the caller's trace (traceparent and tracestate headers) into both events of a transfer", async () => {
    const open = async () => (await app.inject({ method: 'POST', url: '/accounts', payload: { ownerName: 'B', initialBalance: '5.00' }, headers: bearer('write') })).json().accountId as string;
    const [from, to] = [await open(), await open()];
    memory.reset();
    const callerTrace = '0af7651916cd43dd8448eb211c80319c';
    const res = await app.inject({
      method: 'POST',
      url: '/transfers',
      payload: { fromAccountId: from, toAccountId: to, amount: '1.00' },
      headers: { traceparent: `00-${callerTrace}-b7ad6b7169203331-01`, tracestate: 'k6=load', ...bearer('write') },
    });
    expect(res.statusCode).toBe(201);
    const span = requestSpan('POST /transfers');
    expect(span.spanContext().traceId).toBe(callerTrace);
    expect(span.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    const metadata = await metadataOf(res.json().eventIds);
    expect(metadata).toHaveLength(2);
    for (const m of metadata) expect(m).toMatchObject({ traceparent: traceparentOf(span), tracestate: 'k6=load', command: 'TransferMoney' });
  });
});

describe('OTLP export', () => {
  it('sends the spans of a command to the OTLP/HTTP endpoint with the service name', async () => {
    const res = await app.inject({ method: 'POST', url: '/accounts', payload: { ownerName: 'Otto', initialBalance: '1.00' }, headers: bearer('write') });
    expect(res.statusCode).toBe(201);
    const local = requestSpan('POST /accounts');
    await telemetry.forceFlush();
    const exported = receiver.spans().find((s) => s.spanId === local.spanContext().spanId);
    expect(exported).toMatchObject({ name: 'POST /accounts', serviceName: 'ledgerflow-api', traceId: local.spanContext().traceId });
    expect(exported!.attributes).toMatchObject({ 'http.route': '/accounts' });
    expect(receiver.stats.bytes).toBeGreaterThan(0);
  });
});

describe('GET /metrics', () => {
  it('counts commands by type and outcome code, times requests by route template and status class', async () => {
    const id = (await app.inject({ method: 'POST', url: '/accounts', payload: { ownerName: 'M', initialBalance: '1.00' }, headers: bearer('write') })).json().accountId as string;
    expect((await app.inject({ method: 'POST', url: `/accounts/${id}/withdrawals`, payload: { amount: '5.00' }, headers: bearer('write') })).statusCode).toBe(422);
    expect((await app.inject({ method: 'POST', url: `/accounts/${id}/deposits`, payload: { amount: 'lots' }, headers: bearer('write') })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: `/accounts/${id}`, headers: bearer('read') })).statusCode).toBe(404); // not projected: no projector here
    await app.inject({ method: 'GET', url: '/healthz' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = res.body;
    expect(text).toMatch(/^ledgerflow_api_commands_total\{command="OpenAccount",code="OK",app="api"\} [1-9]\d*$/m);
    expect(text).toContain('ledgerflow_api_commands_total{command="WithdrawMoney",code="INSUFFICIENT_FUNDS",app="api"} 1');
    expect(text).toContain('ledgerflow_api_commands_total{command="DepositMoney",code="VALIDATION_FAILED",app="api"} 1');
    expect(text).toMatch(/^ledgerflow_process_resident_memory_bytes\{app="api"\} [1-9]\d*$/m);
    expect(text).toContain('ledgerflow_api_request_duration_seconds_count{method="POST",route="/accounts/:id/withdrawals",status_class="4xx",app="api"} 1');
    expect(text).toContain('ledgerflow_api_request_duration_seconds_count{method="GET",route="/accounts/:id",status_class="4xx",app="api"} 1');
    expect(text).toContain('ledgerflow_projection_query_duration_seconds_count{query="account",app="api"} 1');
    // Bounded labels: route templates only, never ids; probes and scrapes are not timed.
    expect(text).not.toContain(id);
    expect(text).not.toMatch(/route="\/(healthz|metrics)"/);
    // pg's own metrics, renamed to our conventions.
    expect(text).toMatch(/^ledgerflow_pg_operation_duration_seconds_count\{.*db_operation_name="INSERT".*\} [1-9]/m);
  });

  it('passes `promtool check metrics`', async () => {
    const lint = promtoolCheck((await app.inject({ method: 'GET', url: '/metrics' })).body);
    if (lint.status === 'missing') {
      if (process.env['CI']) throw new Error('promtool is not on PATH: CI must install it (Debian package "prometheus", tools/prepare.sh)');
      return console.warn('promtool is not on PATH: /metrics not linted (install the Debian package "prometheus")');
    }
    expect(lint.status, lint.output).toBe('passed');
  });
});
