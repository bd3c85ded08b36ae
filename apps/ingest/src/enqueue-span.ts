import type { StoredEvent } from '@ledgerflow/cdc-core';
import { linksFromCarriers, traceCarrierOfMetadata, type TraceCarrier } from '@ledgerflow/metrics';
import type { Telemetry } from '@ledgerflow/metrics/node';

/** Ledgerflow's tracer (Telemetry.tracer). */
export type Tracer = Telemetry['tracer'];
type Span = ReturnType<Tracer['startSpan']>;
type SpanOptions = NonNullable<Parameters<Tracer['startSpan']>[1]>;

// @opentelemetry/api's SpanKind.PRODUCER and SpanStatusCode.ERROR, by value: this app reaches
// OpenTelemetry through @ledgerflow/metrics only (the types still check the values).
const PRODUCER: NonNullable<SpanOptions['kind']> = 3;
const ERROR: Parameters<Span['setStatus']>[0]['code'] = 2;

/** Name of the span of one partition's addBulk. */
export const ENQUEUE_SPAN = 'ingest.enqueue';

/** What one enqueue span describes: one addBulk of one partition. */
export interface EnqueueBatch {
  readonly partition: number;
  readonly queueName: string;
  /** The partition's events in this flush, in source order. */
  readonly events: readonly StoredEvent[];
  readonly jobs: number;
}

function* carriersOf(events: readonly StoredEvent[]): Generator<TraceCarrier | undefined> {
  for (const event of events) yield traceCarrierOfMetadata(event.metadata);
}

/**
 * Links to the traces of the events (the API request that wrote each one), deduplicated and
 * capped at MAX_LINKS. Lazy: metadata is parsed only until the cap is reached.
 */
export function enqueueLinks(events: readonly StoredEvent[]): ReturnType<typeof linksFromCarriers> {
  return linksFromCarriers(carriersOf(events));
}

/**
 * Runs `addBulk` inside an `ingest.enqueue` span, which continues the events' traces by links
 * (a batch has many parents, so it links to them rather than picking one). The span is active
 * while `addBulk` runs, so BullMQ's own producer span (and the trace context it stores in each
 * job) and the Redis command spans hang under it. Without a tracer it just runs `addBulk`.
 */
export async function withEnqueueSpan<T>(tracer: Tracer | undefined, batch: EnqueueBatch, addBulk: () => Promise<T>): Promise<T> {
  if (!tracer) return addBulk();
  const first = batch.events[0]?.position;
  const last = batch.events[batch.events.length - 1]?.position;
  const attributes = {
    'messaging.system': 'bullmq',
    'messaging.operation.type': 'send',
    'messaging.destination.name': batch.queueName,
    'messaging.batch.message_count': batch.jobs,
    'ledgerflow.partition': batch.partition,
    'ledgerflow.events': batch.events.length,
    ...(first === undefined || last === undefined ? {} : { 'ledgerflow.position.first': first.toString(), 'ledgerflow.position.last': last.toString() }),
  };
  return tracer.startActiveSpan(ENQUEUE_SPAN, { kind: PRODUCER, attributes }, async (span) => {
    // Added after the start (samplers here do not look at links): an unsampled span parses no metadata.
    if (span.isRecording()) span.addLinks(enqueueLinks(batch.events));
    try {
      return await addBulk();
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
