import { isLedgerflowError } from '@ledgerflow/cdc-core';
import { describe, expect, it } from 'vitest';
import { loadIngestConfig, withPartitions, tracesUrl } from './config';

describe('loadIngestConfig', () => {
  it('derives the defaults from the database name', () => {
    const config = loadIngestConfig({ DATABASE_URL: 'postgres://u@db:5432/Bank-Prod' });
    expect(config).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      partitions: 16,
      redisPrefix: 'ledgerflow-Bank-Prod',
      slotName: 'ledgerflow_bank_prod',
      maxBatchEvents: 2000,
      flushIntervalMs: 2,
      maxJobsPerSecond: 1000,
      catchupPageSize: 5000,
      retryInitialMs: 200,
      retryMaxMs: 5000,
      redisCheckIntervalMs: 1000,
      opsPort: 9465,
      opsHost: '127.0.0.1',
      metricsPollMs: 2000,
      serviceName: 'ledgerflow-ingest',
      otlpTracesUrl: undefined,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(loadIngestConfig({}).slotName).toBe('ledgerflow_ledgerflow');
  });

  it('derives the job budget from the partitions unless it is set: a flush waits at most 16 ms for pacing', () => {
    expect(loadIngestConfig({ LEDGERFLOW_PARTITIONS: '4' }).maxJobsPerSecond).toBe(250);
    expect(loadIngestConfig({ LEDGERFLOW_PARTITIONS: '64' }).maxJobsPerSecond).toBe(4000);
    expect(loadIngestConfig({ LEDGERFLOW_PARTITIONS: '1' }).maxJobsPerSecond).toBe(63);
    expect(loadIngestConfig({ LEDGERFLOW_PARTITIONS: '4', LEDGERFLOW_INGEST_MAX_JOBS_PER_SECOND: '1000' }).maxJobsPerSecond).toBe(1000);
  });

  it('says whether the partition count is set, and moves what follows it to the count agreed with the database', () => {
    const unset = loadIngestConfig({});
    expect(unset).toMatchObject({ partitions: 16, partitionsSet: false, maxJobsPerSecond: 1000, maxJobsPerSecondSet: false });
    expect(loadIngestConfig({ LEDGERFLOW_PARTITIONS: '4' })).toMatchObject({ partitions: 4, partitionsSet: true });
    const agreed = withPartitions(unset, 4);
    expect(agreed).toMatchObject({ partitions: 4, partitionsSet: false, maxJobsPerSecond: 250 });
    expect(Object.isFrozen(agreed)).toBe(true);
    // A budget set on its own stays.
    expect(withPartitions(loadIngestConfig({ LEDGERFLOW_INGEST_MAX_JOBS_PER_SECOND: '600' }), 4).maxJobsPerSecond).toBe(600);
  });

  it('reads overrides', () => {
    const config = loadIngestConfig({ LEDGERFLOW_PARTITIONS: '4', LEDGERFLOW_SLOT: 'my_slot', LEDGERFLOW_INGEST_FLUSH_INTERVAL_MS: '0', LEDGERFLOW_INGEST_MAX_JOBS_PER_SECOND: '0' });
    expect(config).toMatchObject({ partitions: 4, slotName: 'my_slot', flushIntervalMs: 0, maxJobsPerSecond: 0 });
  });

  it('reads the ops server and OpenTelemetry settings; empty values count as unset', () => {
    const config = loadIngestConfig({
      LEDGERFLOW_INGEST_OPS_PORT: '0',
      LEDGERFLOW_INGEST_OPS_HOST: '0.0.0.0',
      LEDGERFLOW_INGEST_METRICS_POLL_MS: '250',
      OTEL_SERVICE_NAME: 'ingest-eu-1',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318/',
    });
    expect(config).toMatchObject({ opsPort: 0, opsHost: '0.0.0.0', metricsPollMs: 250, serviceName: 'ingest-eu-1', otlpTracesUrl: 'http://jaeger:4318/v1/traces' });
    expect(loadIngestConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_TRACES_EXPORTER: 'none' }).otlpTracesUrl).toBeUndefined();
    expect(loadIngestConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: '', LEDGERFLOW_INGEST_OPS_PORT: '' })).toMatchObject({ otlpTracesUrl: undefined, opsPort: 9465 });
    expect(tracesUrl('https://collector:4318//', 'otlp')).toBe('https://collector:4318/v1/traces');
  });

  it('reads the backpressure and slot-safety settings', () => {
    expect(loadIngestConfig({})).toMatchObject({ maxQueuedJobs: 2000, resumeQueuedJobs: 1000, backpressurePollMs: 500, statusIntervalMs: 10_000, retainedWalWarnBytes: 1024 ** 3 });
    expect(loadIngestConfig({ LEDGERFLOW_INGEST_MAX_QUEUED_JOBS: '40', LEDGERFLOW_INGEST_RESUME_QUEUED_JOBS: '30' })).toMatchObject({ maxQueuedJobs: 40, resumeQueuedJobs: 30 });
    expect(loadIngestConfig({ LEDGERFLOW_INGEST_MAX_QUEUED_JOBS: '0' })).toMatchObject({ maxQueuedJobs: 0, resumeQueuedJobs: 0 });
  });

  it('rejects bad values with CONFIG_INVALID', () => {
    for (const env of [
      { LEDGERFLOW_INGEST_OPS_PORT: '70000' },
      { LEDGERFLOW_INGEST_METRICS_POLL_MS: '10' },
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4318' },
      { OTEL_TRACES_EXPORTER: 'zipkin' },{ LEDGERFLOW_PARTITIONS: '0' }, { LEDGERFLOW_SLOT: 'bad-slot"' }, { LEDGERFLOW_INGEST_MAX_PENDING_EVENTS: '10' }, { LOG_LEVEL: 'loud' }, { LEDGERFLOW_INGEST_RETRY_INITIAL_MS: '9000' }, { LEDGERFLOW_INGEST_REDIS_CHECK_MS: '0' }, { LEDGERFLOW_INGEST_MAX_QUEUED_JOBS: '10', LEDGERFLOW_INGEST_RESUME_QUEUED_JOBS: '10' }, { LEDGERFLOW_INGEST_STATUS_INTERVAL_MS: '5' }]) {
      let caught: unknown;
      try {
        loadIngestConfig(env);
      } catch (error) {
        caught = error;
      }
      expect(isLedgerflowError(caught, 'CONFIG_INVALID'), JSON.stringify(env)).toBe(true);
    }
  });
});
