/**
 * Metric names, by Prometheus conventions (`ledgerflow_` prefix, unit suffix, `_total` for
 * counters once exported). One place, so dashboards and alerts have one source of truth.
 */
export const METRIC = {
  eventsRead: 'ledgerflow_ingest_events_read',
  eventsEnqueued: 'ledgerflow_ingest_events_enqueued',
  jobsEnqueued: 'ledgerflow_ingest_jobs_enqueued',
  eventsApplied: 'ledgerflow_projector_events_applied',
  eventsDuplicate: 'ledgerflow_projector_events_duplicate',
  eventsRepaired: 'ledgerflow_projector_events_repaired',
  eventsFailed: 'ledgerflow_projector_events_failed',
  batchDuration: 'ledgerflow_projector_batch_duration_seconds',
  commitToProjectionLag: 'ledgerflow_commit_to_projection_lag_seconds',
} as const;

/** Attribute keys; values stay bounded (partition numbers, app names, error codes). */
export const ATTRIBUTE = {
  partition: 'partition',
  app: 'app',
  code: 'code',
} as const;

/** Histogram buckets (seconds) for lag: 1 ms to 30 s. */
export const LAG_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
