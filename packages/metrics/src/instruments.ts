import { metrics, type Counter, type Histogram, type Meter } from '@opentelemetry/api';
import { LAG_BUCKETS_SECONDS, METRIC } from './names';

/** The pipeline's instruments. With no SDK registered they are no-ops. */
export interface Instruments {
  readonly eventsRead: Counter;
  readonly eventsEnqueued: Counter;
  readonly jobsEnqueued: Counter;
  readonly eventsApplied: Counter;
  readonly eventsDuplicate: Counter;
  readonly eventsRepaired: Counter;
  readonly eventsFailed: Counter;
  readonly batchDuration: Histogram;
  readonly commitToProjectionLag: Histogram;
}

/**
 * Creates the instruments on `meter` (default: the global meter provider's `ledgerflow` meter,
 * a no-op until an app starts the SDK). Packages call this; only apps start an SDK.
 */
export function createInstruments(meter: Meter = metrics.getMeter('ledgerflow')): Instruments {
  return {
    eventsRead: meter.createCounter(METRIC.eventsRead, { description: 'Events read from the replication slot or the catch-up scan' }),
    eventsEnqueued: meter.createCounter(METRIC.eventsEnqueued, { description: 'Events added to partition queues' }),
    jobsEnqueued: meter.createCounter(METRIC.jobsEnqueued, { description: 'Batch jobs added to partition queues' }),
    eventsApplied: meter.createCounter(METRIC.eventsApplied, { description: 'Events applied to the read models' }),
    eventsDuplicate: meter.createCounter(METRIC.eventsDuplicate, { description: 'Redelivered events that were no-ops' }),
    eventsRepaired: meter.createCounter(METRIC.eventsRepaired, { description: 'Events read from the event store to fill a version gap' }),
    eventsFailed: meter.createCounter(METRIC.eventsFailed, { description: 'Events that could not be applied' }),
    batchDuration: meter.createHistogram(METRIC.batchDuration, { description: 'Projector batch transaction time', unit: 's' }),
    commitToProjectionLag: meter.createHistogram(METRIC.commitToProjectionLag, {
      description: 'Time from the commit of an event to the commit of its projection',
      unit: 's',
      advice: { explicitBucketBoundaries: LAG_BUCKETS_SECONDS },
    }),
  };
}
