import { partitionOf, partitionQueueName } from '@ledgerflow/cdc-core';
import { createBullMQTelemetry, InMemorySpanExporter, SimpleSpanProcessor, startTelemetry, type ReadableSpan, type Telemetry } from '@ledgerflow/metrics/node';
import { TEST_REDIS_URL, createTestDatabase, testRedisPrefix, waitFor, type TestDatabase } from '@ledgerflow/testkit';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENQUEUE_SPAN } from './enqueue-span';
import { startIngest, type IngestHandle } from './ingest';
import { useRawJsonParsers } from './pg-json';
import { EventFactory, insertEvents, randomTraceparent, testIngestConfig, testLogger } from './testing/fixtures';

const PARTITIONS = 4;
const memory = new InMemorySpanExporter();
const redis = testRedisPrefix('ingest-enqueue-trace');
let telemetry: Telemetry;
let tdb: TestDatabase;
let ingest: IngestHandle | undefined;

beforeAll(async () => {
  useRawJsonParsers();
  telemetry = startTelemetry({ serviceName: 'ledgerflow-ingest', app: 'ingest', instrumentations: false, spanProcessors: [new SimpleSpanProcessor(memory)], log: () => undefined });
  tdb = await createTestDatabase('ingest_enqueue_trace');
  const config = testIngestConfig(tdb.url, TEST_REDIS_URL, redis.prefix);
  ingest = await startIngest(config, { logger: testLogger, tracer: telemetry.tracer });
});

afterAll(async () => {
  await ingest?.stop();
  await tdb?.drop();
  await redis.cleanup();
  await telemetry?.shutdown();
});

const spanId = (traceparent: string) => traceparent.split('-')[2];
const traceId = (traceparent: string) => traceparent.split('-')[1];
const enqueueSpans = () => memory.getFinishedSpans().filter((s) => s.name === ENQUEUE_SPAN);
const linksOf = (span: ReadableSpan) => span.links.map((l) => `${l.context.traceId}-${l.context.spanId}`);

/** Inserts one transaction and waits until ingest has enqueued it (one flush, one span per partition). */
async function insertAndWait(events: Parameters<typeof insertEvents>[1], metadata: Record<string, unknown>): Promise<void> {
  const before = ingest!.counters.eventsEnqueued;
  await insertEvents(tdb.pool, events, metadata);
  await waitFor('the transaction enqueued', async () => ingest!.counters.eventsEnqueued >= before + events.length, 10_000, 10);
}

describe('trace context through the queue', () => {
  it('makes one ingest.enqueue span per partition batch, linked (deduplicated) to the traces of its events', async () => {
    const factory = new EventFactory(1);
    const account = factory.streams[0]!;
    const partition = partitionOf(account, PARTITIONS);
    const command = randomTraceparent();
    // Two events of one command (one account): one batch, one link.
    await insertAndWait([factory.next(account), factory.next(account)], { traceparent: command, tracestate: 'k6=load', correlationId: 'c-1' });
    const [span, ...others] = enqueueSpans();
    expect(others).toEqual([]);
    expect(span!.kind).toBe(3); // PRODUCER
    expect(span!.attributes).toMatchObject({ 'messaging.system': 'bullmq', 'messaging.destination.name': partitionQueueName(partition), 'ledgerflow.partition': partition, 'ledgerflow.events': 2, 'messaging.batch.message_count': 1 });
    expect(linksOf(span!)).toEqual([`${traceId(command)}-${spanId(command)}`]);
    expect(span!.links[0]!.context.traceState?.serialize()).toBe('k6=load');
    // A batch has many parents: it starts a trace of its own and links to theirs.
    expect(span!.spanContext().traceId).not.toBe(traceId(command));
    expect(span!.parentSpanContext).toBeUndefined();

    // Events of several commands across partitions: each partition's span links to its events' traces only.
    memory.reset();
    const many = new EventFactory(12);
    const commands = new Map<string, string>();
    for (const stream of many.streams) {
      const traceparent = randomTraceparent();
      commands.set(stream, traceparent);
      await insertAndWait([many.next(stream)], { traceparent });
    }
    await insertAndWait([many.next(many.streams[0]!)], { correlationId: 'no trace context' });
    const linked = new Set(enqueueSpans().flatMap(linksOf));
    expect(linked).toEqual(new Set([...commands.values()].map((t) => `${traceId(t)}-${spanId(t)}`)));
    for (const s of enqueueSpans()) {
      for (const link of linksOf(s)) {
        const stream = [...commands].find(([, t]) => `${traceId(t)}-${spanId(t)}` === link)![0];
        expect(partitionOf(stream, PARTITIONS)).toBe(s.attributes['ledgerflow.partition']);
      }
    }
  });

  it("puts its partition's enqueue span context into each job, and a BullMQ worker with telemetry continues it", async () => {
    memory.reset();
    const factory = new EventFactory(1);
    const account = factory.streams[0]!;
    const queueName = partitionQueueName(partitionOf(account, PARTITIONS));
    await insertAndWait([factory.next(account)], { traceparent: randomTraceparent() });
    const enqueue = enqueueSpans()[0]!;

    // The job carries the W3C context of its partition's enqueue span (job.opts.telemetry.metadata) …
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(queueName, { connection, prefix: redis.prefix });
    const { 'ledgerflow.partition': p, 'ledgerflow.position.first': first, 'ledgerflow.position.last': last } = enqueue.attributes;
    const job = await queue.getJob(`p${p}-${first}-${last}-1`);
    expect(job).toBeDefined();
    const carried = JSON.parse(job!.opts.telemetry?.metadata ?? '{}') as { traceparent?: string };
    expect(carried.traceparent).toBe(`00-${enqueue.spanContext().traceId}-${enqueue.spanContext().spanId}-01`);

    // … which a Worker given the same telemetry option (the projector) continues as its parent.
    const processed: string[] = [];
    const worker = new Worker(queueName, async (j) => void processed.push(j.id!), { connection, prefix: redis.prefix, telemetry: createBullMQTelemetry() });
    try {
      await waitFor('the job processed', async () => processed.includes(job!.id!), 10_000, 20);
      const consumer = await waitFor('the process span', async () => memory.getFinishedSpans().find((s) => s.name === `process ${queueName}` && s.attributes['bullmq.job.id'] === job!.id), 5_000, 20);
      expect(consumer.parentSpanContext?.spanId).toBe(enqueue.spanContext().spanId);
      expect(consumer.spanContext().traceId).toBe(enqueue.spanContext().traceId);
    } finally {
      await worker.close();
      await queue.close();
      connection.disconnect();
    }
  });
});
