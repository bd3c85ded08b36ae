import type { StoredEvent } from '@ledgerflow/cdc-core';
import { formatTraceparent, linksFromCarriers, traceCarrierOfMetadata, type TraceCarrier } from '@ledgerflow/metrics';
import type { Telemetry } from '@ledgerflow/metrics/node';

/** Ledgerflow's tracer (Telemetry.tracer). */
export type Tracer = Telemetry['tracer'];
type Span = ReturnType<Tracer['startSpan']>;
type SpanOptions = NonNullable<Parameters<Tracer['startSpan']>[1]>;

// @opentelemetry/api's SpanKind.PRODUCER and SpanStatusCode.ERROR, by value: this app reaches
// OpenTelemetry through @ledgerflow/metrics only (the types still check the values).
const PRODUCER: NonNullable<SpanOptions['kind']> = 3;
const ERROR: Parameters<Span['setStatus']>[0]['code'] = 2;

/** Name of the span of one partition's jobs in one publish. */
export const ENQUEUE_SPAN = 'ingest.enqueue';

/** What one enqueue span describes: one partition's jobs in one publish. */
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

/** The `ingest.enqueue` span of one partition's jobs in a publish; the publisher ends it. */
export interface EnqueueSpan {
  /**
   * BullMQ job telemetry metadata (`opts.telemetry.metadata`, W3C JSON) naming this span, for
   * each of the partition's jobs: a projector's batch span links to it, and a BullMQ Worker with
   * the telemetry option continues it. Undefined when nothing records the span.
   */
  readonly jobMetadata: string | undefined;
  /** Ends the span, as failed when `error` is given. */
  end(error?: unknown): void;
}

const UNTRACED: EnqueueSpan = Object.freeze({ jobMetadata: undefined, end: () => undefined });

/**
 * Starts the `ingest.enqueue` span of one partition's jobs, which continues the events' traces
 * by links (a batch has many parents, so it links to them rather than picking one). One publish
 * adds every partition's jobs in one Redis transaction, so the spans are not made active around
 * it; each job carries its own partition's span instead. Without a tracer it does nothing.
 */
export function startEnqueueSpan(tracer: Tracer | undefined, batch: EnqueueBatch): EnqueueSpan {
  if (!tracer) return UNTRACED;
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
  const span = tracer.startSpan(ENQUEUE_SPAN, { kind: PRODUCER, attributes });
  // Added after the start (samplers here do not look at links): an unsampled span parses no metadata.
  const recording = span.isRecording();
  if (recording) span.addLinks(enqueueLinks(batch.events));
  const tracestate = span.spanContext().traceState?.serialize();
  return {
    jobMetadata: recording ? JSON.stringify({ traceparent: formatTraceparent(span.spanContext()), ...(tracestate ? { tracestate } : {}) }) : undefined,
    end(error?: unknown) {
      if (error !== undefined) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: ERROR, message: error instanceof Error ? error.message : String(error) });
      }
      span.end();
    },
  };
}
