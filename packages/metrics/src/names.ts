/**
 * Metric names, by Prometheus conventions: `ledgerflow_` prefix, snake case, base units as
 * suffixes (`_seconds`, `_bytes`), and no `_total` here (the exporter adds it to counters).
 * One place, so dashboards and alerts have one source of truth. Kinds, units and labels of
 * each name live beside it in catalogue.ts.
 */
export const METRIC = {
  // Ingest: the CDC reader (slot → decode → partition → BullMQ).
  eventsRead: 'ledgerflow_ingest_events_read',
  eventsEnqueued: 'ledgerflow_ingest_events_enqueued',
  jobsEnqueued: 'ledgerflow_ingest_jobs_enqueued',
  ingestEventsFailed: 'ledgerflow_ingest_events_failed',
  enqueueDuration: 'ledgerflow_ingest_enqueue_duration_seconds',
  ingestPaused: 'ledgerflow_ingest_paused',
  ingestRefills: 'ledgerflow_ingest_refills',
  // Projector: the CDC stage that applies batches.
  eventsProcessed: 'ledgerflow_projector_events_processed',
  eventsApplied: 'ledgerflow_projector_events_applied',
  eventsDuplicate: 'ledgerflow_projector_events_duplicate',
  eventsRepaired: 'ledgerflow_projector_events_repaired',
  eventsFailed: 'ledgerflow_projector_events_failed',
  batches: 'ledgerflow_projector_batches',
  batchFailures: 'ledgerflow_projector_batch_failures',
  batchDuration: 'ledgerflow_projector_batch_duration_seconds',
  batchEvents: 'ledgerflow_projector_batch_events',
  parkedAccounts: 'ledgerflow_projector_parked_accounts',
  // Health of any stage (observable gauges).
  queueDepth: 'ledgerflow_queue_depth',
  consecutiveFailures: 'ledgerflow_consecutive_failures',
  lastErrorTime: 'ledgerflow_last_error_timestamp_seconds',
  // Projections (read models).
  projectionBatchUpdates: 'ledgerflow_projection_batch_updates',
  projectionQueryDuration: 'ledgerflow_projection_query_duration_seconds',
  projectionErrors: 'ledgerflow_projection_errors',
  cacheHits: 'ledgerflow_projection_cache_hits',
  cacheMisses: 'ledgerflow_projection_cache_misses',
  // The lag ladder: WAL head → read by ingest → enqueued → applied → checkpointed.
  walHeadPosition: 'ledgerflow_lag_wal_head_position_bytes',
  walReadPosition: 'ledgerflow_lag_wal_read_position_bytes',
  walConfirmedPosition: 'ledgerflow_lag_wal_confirmed_position_bytes',
  slotRetainedWal: 'ledgerflow_slot_retained_wal_bytes',
  processMemory: 'ledgerflow_process_resident_memory_bytes',
  gcPause: 'ledgerflow_process_gc_pause_seconds',
  readPosition: 'ledgerflow_lag_read_position',
  enqueuedPosition: 'ledgerflow_lag_enqueued_position',
  appliedPosition: 'ledgerflow_lag_applied_position',
  checkpointedPosition: 'ledgerflow_lag_checkpointed_position',
  readLag: 'ledgerflow_lag_read_seconds',
  enqueuedLag: 'ledgerflow_lag_enqueued_seconds',
  appliedLag: 'ledgerflow_lag_applied_seconds',
  checkpointedLag: 'ledgerflow_lag_checkpointed_seconds',
  commitToProjectionLag: 'ledgerflow_commit_to_projection_lag_seconds',
  // API.
  requestDuration: 'ledgerflow_api_request_duration_seconds',
  commands: 'ledgerflow_api_commands',
} as const;

/**
 * Metrics the pg instrumentation records (semantic conventions `db.client.*`), renamed by views
 * in node/telemetry.ts: promtool rejects the gauge `db_client_connection_count` (`_count` is
 * reserved for histograms), and every series we export follows the same conventions.
 */
export const PG_METRIC = {
  'db.client.operation.duration': 'ledgerflow_pg_operation_duration_seconds',
  'db.client.connection.count': 'ledgerflow_pg_connections',
  'db.client.connection.max': 'ledgerflow_pg_connections_max',
  'db.client.connection.pending_requests': 'ledgerflow_pg_pending_requests',
} as const;

/** Key of a metric in METRIC (and in the catalogue). */
export type MetricKey = keyof typeof METRIC;

/**
 * Attribute (label) keys. Values must stay bounded: partition numbers, app names, error codes,
 * route templates (never raw paths), HTTP status classes, command and query names, refill causes.
 */
export const ATTRIBUTE = {
  partition: 'partition',
  app: 'app',
  code: 'code',
  method: 'method',
  route: 'route',
  statusClass: 'status_class',
  command: 'command',
  query: 'query',
  cause: 'cause',
  kind: 'kind',
} as const;

/** One of the attribute keys in ATTRIBUTE. */
export type Label = (typeof ATTRIBUTE)[keyof typeof ATTRIBUTE];

/** Histogram buckets (seconds) for lag: 1 ms to 30 s. */
export const LAG_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Histogram buckets (seconds) for request, query and batch durations: 0.5 ms to 10 s. */
export const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Histogram buckets (seconds) for garbage-collection pauses: 0.5 ms to 1 s. A young-generation
 * collection takes about a millisecond on an idle machine and 5-20 ms on a busy 2-core one
 * (decision 018); every event in flight waits that long.
 */
export const GC_PAUSE_BUCKETS_SECONDS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1];

/** Histogram buckets (events) for batch sizes. */
export const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];
