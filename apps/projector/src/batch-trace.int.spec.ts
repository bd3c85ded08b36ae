import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { batchJobId, encodeBatch, type StoredEvent } from '@ledgerflow/cdc-core';
import { formatTraceparent } from '@ledgerflow/metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, startTelemetry, type ReadableSpan, type Telemetry } from '@ledgerflow/metrics/node';
import { readEventsAfter } from '@ledgerflow/sinks';
import { createTestDatabase, testRedisPrefix, waitFor, type TestDatabase } from '@ledgerflow/testkit';
import type { Queue } from 'bullmq';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BATCH_SPAN } from './observability/batch-span';
import { startProjector, type Projector } from './projector';
import { accountOn, eventsApplied, openQueues, testProjectorConfig } from './testing/fleet-fixtures';

/** The `projector.batch` span: its links to the traces that wrote the events, its pg children (issue 4). */
const P = 2;
const memory = new InMemorySpanExporter();
const redisKeys = testRedisPrefix('projector-batch-trace');
let telemetry: Telemetry;
let tdb: TestDatabase;
let projector: Projector;
let queues: Queue[] = [];

beforeAll(async () => {
  telemetry = startTelemetry({ serviceName: 'ledgerflow-projector', app: 'projector', spanProcessors: [new SimpleSpanProcessor(memory)], prometheus: false, log: () => undefined });
  // main.ts loads pg after telemetry through require, which lets the instrumentation patch it;
  // vitest imports modules as ESM, which require hooks never see: do it by hand.
  createRequire(__filename)('pg');
  tdb = await createTestDatabase('projector_batch_trace');
  queues = openQueues(redisKeys.prefix, P);
  const config = testProjectorConfig(tdb.url, redisKeys.prefix, P);
  projector = await startProjector(config, { logger: pino({ level: 'silent' }), tracer: telemetry.tracer });
});

afterAll(async () => {
  await projector?.stop();
  await Promise.allSettled(queues.map((q) => q.close()));
  await redisKeys.cleanup();
  await tdb?.drop();
  await telemetry?.shutdown();
});

beforeEach(() => memory.reset());

/** A finished span standing for an API request; its traceparent is what the API writes into metadata. */
function requestSpan(name: string): { traceId: string; spanId: string; traceparent: string } {
  const span = telemetry.tracer.startSpan(name);
  span.end();
  const context = span.spanContext();
  return { traceId: context.traceId, spanId: context.spanId, traceparent: formatTraceparent(context) };
}

/** Appends one event to a new stream with the given metadata, as the API's transaction would. */
async function append(accountId: string, metadata: string): Promise<void> {
  const data = JSON.stringify({ accountId, ownerName: 'Traced', initialBalance: '1.00' });
  await sql`insert into events (event_id, stream_id, version, type, data, metadata)
    values (${randomUUID()}::uuid, ${accountId}::uuid, 1, 'AccountCreated', ${data}::jsonb, ${metadata}::jsonb)`.execute(tdb.db);
}

/** Puts `events` of partition 0 on its queue as ONE job (so one transaction), with BullMQ's telemetry metadata if given. */
async function enqueueOneJob(events: readonly StoredEvent[], producerTraceparent?: string): Promise<void> {
  const batch = { partition: 0, events };
  await queues[0]!.add('batch', encodeBatch(batch, Date.now()), {
    jobId: batchJobId(batch),
    attempts: 5,
    ...(producerTraceparent ? { telemetry: { metadata: JSON.stringify({ traceparent: producerTraceparent }) } } : {}),
  });
}

const batchSpans = () => memory.getFinishedSpans().filter((s) => s.name === BATCH_SPAN);
const linksOf = (span: ReadableSpan) => span.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId }));

describe('projector.batch span', () => {
  it('links to the trace of every event in the batch (once each), and the SQL of the transaction runs under it', async () => {
    const before = await readEventsAfter(tdb.db, 0n, 100_000);
    const openAccount = requestSpan('POST /accounts');
    const transfer = requestSpan('POST /transfers');
    const [a, b, c, d, e] = Array.from({ length: 5 }, () => accountOn(0, P));
    await append(a!, JSON.stringify({ traceparent: openAccount.traceparent, command: 'OpenAccount' }));
    await append(b!, JSON.stringify({ traceparent: transfer.traceparent, tracestate: 'k6=load' }));
    await append(c!, JSON.stringify({ traceparent: transfer.traceparent, tracestate: 'k6=load' })); // same request: one link
    await append(d!, JSON.stringify({ command: 'OpenAccount' })); // written without a trace
    await append(e!, JSON.stringify({ traceparent: '00-00000000000000000000000000000000-0000000000000000-01' })); // invalid: ignored
    const events = await readEventsAfter(tdb.db, before.at(-1)?.position ?? 0n, 100);
    expect(events).toHaveLength(5);
    await enqueueOneJob(events);
    await waitFor('the batch to be applied', async () => (await eventsApplied(tdb.db)) === before.length + 5, 20_000, 50);

    const [batch, ...more] = batchSpans();
    expect(more).toEqual([]);
    expect(linksOf(batch!)).toEqual([
      { traceId: openAccount.traceId, spanId: openAccount.spanId },
      { traceId: transfer.traceId, spanId: transfer.spanId },
    ]);
    expect(batch!.links[1]!.context.traceState?.serialize()).toBe('k6=load');
    // Linked, not parented: the batch starts a trace of its own.
    expect(batch!.parentSpanContext).toBeUndefined();
    expect([openAccount.traceId, transfer.traceId]).not.toContain(batch!.spanContext().traceId);
    expect(batch!.attributes).toMatchObject({ 'ledgerflow.partition': 0, 'ledgerflow.events': 5, 'ledgerflow.applied': 5, 'messaging.destination.name': 'p0' });

    const queries = memory.getFinishedSpans().filter((s) => s.instrumentationScope.name === '@opentelemetry/instrumentation-pg');
    const children = queries.filter((q) => q.parentSpanContext?.spanId === batch!.spanContext().spanId);
    expect(children.every((q) => q.spanContext().traceId === batch!.spanContext().traceId)).toBe(true);
    const statements = children.map((q) => String(q.attributes['db.query.text'] ?? q.attributes['db.statement'] ?? ''));
    expect(statements.some((s) => /insert into account_projections/i.test(s)), statements.join('\n')).toBe(true);
    expect(statements.some((s) => /insert into projection_checkpoints/i.test(s))).toBe(true);
  });

  it('also links to the producer of each job when ingest traced the enqueue (BullMQ telemetry metadata)', async () => {
    const before = await readEventsAfter(tdb.db, 0n, 100_000);
    const enqueueSpan = requestSpan('ingest.enqueue');
    const write = requestSpan('POST /accounts');
    await append(accountOn(0, P), JSON.stringify({ traceparent: write.traceparent }));
    const events = await readEventsAfter(tdb.db, before.at(-1)?.position ?? 0n, 100);
    await enqueueOneJob(events, enqueueSpan.traceparent);
    await waitFor('the batch to be applied', async () => (await eventsApplied(tdb.db)) === before.length + 1, 20_000, 50);
    const [batch] = batchSpans();
    expect(linksOf(batch!)).toEqual([
      { traceId: enqueueSpan.traceId, spanId: enqueueSpan.spanId },
      { traceId: write.traceId, spanId: write.spanId },
    ]);
  });
});
