export { loadIngestConfig } from './config';
export type { IngestConfig } from './config';
export { startIngest } from './ingest';
export type { IngestDeps, IngestHandle } from './ingest';
export type { IngestCounters } from './counters';
export { useRawJsonParsers } from './pg-json';
export { BATCH_JOB_NAME, BATCH_JOB_OPTIONS } from './publisher';
