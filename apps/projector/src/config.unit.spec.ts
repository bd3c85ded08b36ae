import { isLedgerflowError } from '@ledgerflow/cdc-core';
import { describe, expect, it } from 'vitest';
import { loadProjectorConfig } from './config';
import { resolvePartitions } from './projector';

describe('loadProjectorConfig', () => {
  it('applies the defaults, derives the prefix from the database name and freezes', () => {
    const config = loadProjectorConfig({ DATABASE_URL: 'postgres://u@db:5432/bank' });
    expect(config).toEqual({
      databaseUrl: 'postgres://u@db:5432/bank',
      redisUrl: 'redis://127.0.0.1:6379',
      partitions: 16,
      partitionsSet: false,
      redisPrefix: 'ledgerflow-bank',
      maxBatchEvents: 5000,
      flushMs: 25,
      writers: 1,
      heartbeatMs: 1000,
      memberTimeoutMs: 6000,
      rebalanceMs: 1000,
      batchTimeoutMs: 30_000,
      commitTimeoutMs: 10_000,
      synchronousCommit: false,
      breaker: { failureThreshold: 5, windowMs: 10_000, baseCooldownMs: 500, maxCooldownMs: 5000 },
      opsPort: 9466,
      opsPortFallback: true,
      opsHost: '127.0.0.1',
      logLevel: 'info',
      serviceName: 'ledgerflow-projector',
      otlpTracesUrl: undefined,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.breaker)).toBe(true);
  });

  it('reads every variable', () => {
    const config = loadProjectorConfig({
      LEDGERFLOW_PARTITIONS: '4',
      LEDGERFLOW_REDIS_PREFIX: 'px',
      LEDGERFLOW_PROJECTOR_MAX_BATCH: '100',
      LEDGERFLOW_PROJECTOR_FLUSH_MS: '0',
      LEDGERFLOW_PROJECTOR_WRITERS: '0',
      LEDGERFLOW_PROJECTOR_HEARTBEAT_MS: '200',
      LEDGERFLOW_PROJECTOR_MEMBER_TIMEOUT_MS: '1500',
      LEDGERFLOW_PROJECTOR_REBALANCE_MS: '300',
      LEDGERFLOW_PROJECTOR_BATCH_TIMEOUT_MS: '2500',
      LEDGERFLOW_PROJECTOR_COMMIT_TIMEOUT_MS: '700',
      LEDGERFLOW_PROJECTOR_SYNCHRONOUS_COMMIT: 'on',
      LEDGERFLOW_PROJECTOR_BREAKER_FAILURES: '3',
      LEDGERFLOW_PROJECTOR_BREAKER_WINDOW_MS: '4000',
      LEDGERFLOW_PROJECTOR_BREAKER_COOLDOWN_MS: '200',
      LEDGERFLOW_PROJECTOR_BREAKER_MAX_COOLDOWN_MS: '1000',
      LEDGERFLOW_PROJECTOR_OPS_PORT: '0',
      LEDGERFLOW_PROJECTOR_OPS_HOST: '0.0.0.0',
      LOG_LEVEL: 'debug',
      OTEL_SERVICE_NAME: 'projector-7',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318/',
    });
    expect(config).toMatchObject({
      partitions: 4,
      partitionsSet: true,
      redisPrefix: 'px',
      maxBatchEvents: 100,
      flushMs: 0,
      writers: 0,
      heartbeatMs: 200,
      memberTimeoutMs: 1500,
      rebalanceMs: 300,
      batchTimeoutMs: 2500,
      commitTimeoutMs: 700,
      synchronousCommit: true,
      breaker: { failureThreshold: 3, windowMs: 4000, baseCooldownMs: 200, maxCooldownMs: 1000 },
      opsPort: 0,
      opsPortFallback: false,
      opsHost: '0.0.0.0',
      logLevel: 'debug',
      serviceName: 'projector-7',
      otlpTracesUrl: 'http://jaeger:4318/v1/traces',
    });
  });

  it('exports no traces with OTEL_TRACES_EXPORTER=none, and takes empty values as unset', () => {
    expect(loadProjectorConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_TRACES_EXPORTER: 'none' }).otlpTracesUrl).toBeUndefined();
    expect(loadProjectorConfig({ LEDGERFLOW_PROJECTOR_OPS_PORT: '', OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toMatchObject({ opsPort: 9466, opsPortFallback: true, otlpTracesUrl: undefined });
    expect(() => loadProjectorConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://jaeger' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(() => loadProjectorConfig({ LEDGERFLOW_PROJECTOR_OPS_PORT: '70000' })).toThrow(/LEDGERFLOW_PROJECTOR_OPS_PORT/);
  });

  it('rejects bad values with CONFIG_INVALID naming each one', () => {
    let error: unknown;
    try {
      loadProjectorConfig({ LEDGERFLOW_PARTITIONS: '0', LEDGERFLOW_PROJECTOR_MAX_BATCH: 'lots', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(isLedgerflowError(error, 'CONFIG_INVALID')).toBe(true);
    expect(String((error as Error).message)).toMatch(/LEDGERFLOW_PARTITIONS.*LEDGERFLOW_PROJECTOR_MAX_BATCH.*LOG_LEVEL/);
  });

  it('refuses a member timeout shorter than two heartbeats', () => {
    expect(() => loadProjectorConfig({ LEDGERFLOW_PROJECTOR_HEARTBEAT_MS: '1000', LEDGERFLOW_PROJECTOR_MEMBER_TIMEOUT_MS: '1999' })).toThrow(
      /LEDGERFLOW_PROJECTOR_MEMBER_TIMEOUT_MS: must be at least twice/,
    );
    expect(loadProjectorConfig({ LEDGERFLOW_PROJECTOR_HEARTBEAT_MS: '1000', LEDGERFLOW_PROJECTOR_MEMBER_TIMEOUT_MS: '2000' }).memberTimeoutMs).toBe(2000);
  });

  it('refuses time limits out of range and a breaker cap below its first cool-down', () => {
    expect(() => loadProjectorConfig({ LEDGERFLOW_PROJECTOR_BATCH_TIMEOUT_MS: '0' })).toThrow(/LEDGERFLOW_PROJECTOR_BATCH_TIMEOUT_MS/);
    expect(() => loadProjectorConfig({ LEDGERFLOW_PROJECTOR_COMMIT_TIMEOUT_MS: 'soon' })).toThrow(/LEDGERFLOW_PROJECTOR_COMMIT_TIMEOUT_MS/);
    expect(() => loadProjectorConfig({ LEDGERFLOW_PROJECTOR_SYNCHRONOUS_COMMIT: 'local' })).toThrow(/LEDGERFLOW_PROJECTOR_SYNCHRONOUS_COMMIT/);
    expect(() => loadProjectorConfig({ LEDGERFLOW_PROJECTOR_BREAKER_COOLDOWN_MS: '2000', LEDGERFLOW_PROJECTOR_BREAKER_MAX_COOLDOWN_MS: '1000' })).toThrow(
      /LEDGERFLOW_PROJECTOR_BREAKER_MAX_COOLDOWN_MS: must be at least/,
    );
  });
});

describe('resolvePartitions', () => {
  it('defaults to every partition', () => {
    expect(resolvePartitions(3)).toEqual([0, 1, 2]);
  });

  it('sorts and dedupes an explicit set and rejects partitions out of range', () => {
    expect(resolvePartitions(8, [5, 1, 5])).toEqual([1, 5]);
    expect(() => resolvePartitions(4, [4])).toThrow(RangeError);
    expect(() => resolvePartitions(4, [-1])).toThrow(RangeError);
  });
});
