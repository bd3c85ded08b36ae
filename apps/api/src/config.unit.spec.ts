import { describe, expect, it } from 'vitest';
import { loadApiConfig } from './config';

describe('loadApiConfig', () => {
  it('has defaults and is frozen', () => {
    const config = loadApiConfig({});
    expect(config).toEqual({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/ledgerflow',
      host: '127.0.0.1',
      port: 3000,
      logLevel: 'info',
      bodyLimitBytes: 16_384,
      dbPoolMax: 10,
      readinessTimeoutMs: 1000,
      serviceName: 'ledgerflow-api',
      otlpTracesUrl: undefined,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the environment, treating empty values as unset', () => {
    const config = loadApiConfig({ DATABASE_URL: 'postgres://u:secret@db:5432/x', API_HOST: '0.0.0.0', API_PORT: '8080', LOG_LEVEL: 'debug', API_BODY_LIMIT_BYTES: '', API_DB_POOL_MAX: '20' });
    expect(config).toMatchObject({ databaseUrl: 'postgres://u:secret@db:5432/x', host: '0.0.0.0', port: 8080, logLevel: 'debug', bodyLimitBytes: 16_384, dbPoolMax: 20 });
  });

  it('exports traces to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces unless OTEL_TRACES_EXPORTER is none', () => {
    expect(loadApiConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318/', OTEL_SERVICE_NAME: 'api-eu' })).toMatchObject({
      otlpTracesUrl: 'http://jaeger:4318/v1/traces',
      serviceName: 'api-eu',
    });
    expect(loadApiConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_TRACES_EXPORTER: 'none' }).otlpTracesUrl).toBeUndefined();
    expect(loadApiConfig({ OTEL_TRACES_EXPORTER: 'otlp' }).otlpTracesUrl).toBeUndefined();
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER'],
    [{ API_READINESS_TIMEOUT_MS: '10' }, 'API_READINESS_TIMEOUT_MS'],
    [{ API_PORT: '70000' }, 'API_PORT'],
    [{ API_PORT: '80a' }, 'API_PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
  ])('rejects %j with CONFIG_INVALID naming the variable', (env, variable) => {
    expect(() => loadApiConfig(env)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', details: { variable } }));
  });
});
