import { BullMQOtel } from 'bullmq-otel';

/**
 * BullMQ's `telemetry` option for Queues and Workers: a producer span per add/addBulk and a
 * consumer span per job, the job carrying the W3C context of its producer. BullMQ's own
 * metrics stay off: ours (catalogue) are the ones dashboards use.
 */
export function createBullMQTelemetry(): BullMQOtel {
  return new BullMQOtel({ tracerName: 'ledgerflow-bullmq', enableMetrics: false });
}
