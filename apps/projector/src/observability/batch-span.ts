import type { StoredEvent } from '@ledgerflow/cdc-core';
import { linksFromCarriers, traceCarrierOfMetadata, type TraceCarrier } from '@ledgerflow/metrics';
import type { Telemetry } from '@ledgerflow/metrics/node';
import type { BatchOutcome } from '../project-batch';

/** Ledgerflow's tracer (Telemetry.tracer). */
export type Tracer = Telemetry['tracer'];
type Span = ReturnType<Tracer['startSpan']>;
type SpanOptions = NonNullable<Parameters<Tracer['startSpan']>[1]>;

// @opentelemetry/api's SpanKind.CONSUMER and SpanStatusCode.ERROR, by value: apps reach
// OpenTelemetry through @ledgerflow/metrics only (the types still check the values).
const CONSUMER: NonNullable<SpanOptions['kind']> = 4;
const ERROR: Parameters<Span['setStatus']>[0]['code'] = 2;

/** Name of the span of one projector transaction. */
export const BATCH_SPAN = 'projector.batch';

/** A queue job as far as tracing reads it: BullMQ's telemetry option carries its producer's context. */
export interface TracedJob {
  readonly opts?: { readonly telemetry?: { readonly metadata?: string } };
}

/** What one batch span describes: the jobs of one partition projected in one transaction. */
export interface BatchSpanInput {
  readonly partition: number;
  readonly queueName: string;
  readonly jobs: readonly TracedJob[];
  readonly events: readonly StoredEvent[];
}

function* carriersOf(input: BatchSpanInput): Generator<TraceCarrier | undefined> {
  // The jobs first: they are few, and each leads to the ingest flush that enqueued it.
  for (const job of input.jobs) yield traceCarrierOfMetadata(job.opts?.telemetry?.metadata);
  for (const event of input.events) {
    // Most batches without traces (replays, seeded stores) then cost a substring scan per event, not a JSON.parse.
    yield event.metadata.includes('traceparent') ? traceCarrierOfMetadata(event.metadata) : undefined;
  }
}

/**
 * Links from a batch to the traces it continues: the enqueueing span of each job (when ingest
 * traced it) and the request that wrote each event (`traceparent` in its metadata). Deduplicated
 * and capped at MAX_LINKS; lazy, so metadata is parsed only until the cap is reached.
 */
export function batchLinks(input: BatchSpanInput): ReturnType<typeof linksFromCarriers> {
  return linksFromCarriers(carriersOf(input));
}

/**
 * Runs one batch transaction inside a `projector.batch` span. A batch has many parents, so the
 * span links to them (batchLinks) rather than picking one. It is active while the transaction
 * runs, so the pg instrumentation's query spans (BEGIN, the upserts, COMMIT) are its children.
 * Without a tracer it just runs the batch.
 */
export async function withBatchSpan(tracer: Tracer | undefined, input: BatchSpanInput, run: () => Promise<BatchOutcome>): Promise<BatchOutcome> {
  if (!tracer) return run();
  const attributes = {
    'messaging.system': 'bullmq',
    'messaging.operation.type': 'process',
    'messaging.destination.name': input.queueName,
    'messaging.batch.message_count': input.jobs.length,
    'ledgerflow.partition': input.partition,
    'ledgerflow.events': input.events.length,
  };
  return tracer.startActiveSpan(BATCH_SPAN, { kind: CONSUMER, attributes }, async (span) => {
    // Added after the start (samplers here do not look at links): an unsampled span parses no metadata.
    if (span.isRecording()) span.addLinks(batchLinks(input));
    try {
      const outcome = await run();
      const { stats } = outcome;
      span.setAttributes({
        'ledgerflow.applied': stats.applied,
        'ledgerflow.duplicates': stats.duplicates,
        'ledgerflow.repaired': stats.repaired,
        'ledgerflow.parked': stats.failures,
        'ledgerflow.held': stats.held,
      });
      return outcome;
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
