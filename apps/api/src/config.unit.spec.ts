import { describe, expect, it } from 'vitest';
import { hashToken } from './auth/tokens';
import { loadApiConfig } from './config';

const READ = 'r'.repeat(24);
const WRITE = 'w/W+w.w_w~w-w'.padEnd(30, '9') + '==';
const ADMIN = 'A'.repeat(512);
/** Auth is required; most cases only care about the other variables. */
const TOKENS = { API_TOKENS: `read:${READ}` };

describe('loadApiConfig', () => {
  it('has defaults and is frozen', () => {
    const config = loadApiConfig({ ...TOKENS });
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
      auth: { mode: 'tokens', tokens: [{ role: 'read', sha256: hashToken(READ) }] },
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.auth)).toBe(true);
  });

  it('reads the environment, treating empty values as unset', () => {
    const config = loadApiConfig({ ...TOKENS, DATABASE_URL: 'postgres://u:secret@db:5432/x', API_HOST: '0.0.0.0', API_PORT: '8080', LOG_LEVEL: 'debug', API_BODY_LIMIT_BYTES: '', API_DB_POOL_MAX: '20' });
    expect(config).toMatchObject({ databaseUrl: 'postgres://u:secret@db:5432/x', host: '0.0.0.0', port: 8080, logLevel: 'debug', bodyLimitBytes: 16_384, dbPoolMax: 20 });
  });

  it('exports traces to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces unless OTEL_TRACES_EXPORTER is none', () => {
    expect(loadApiConfig({ ...TOKENS, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318/', OTEL_SERVICE_NAME: 'api-eu' })).toMatchObject({
      otlpTracesUrl: 'http://jaeger:4318/v1/traces',
      serviceName: 'api-eu',
    });
    expect(loadApiConfig({ ...TOKENS, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_TRACES_EXPORTER: 'none' }).otlpTracesUrl).toBeUndefined();
    expect(loadApiConfig({ ...TOKENS, OTEL_TRACES_EXPORTER: 'otlp' }).otlpTracesUrl).toBeUndefined();
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
    expect(() => loadApiConfig({ ...TOKENS, ...env })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', details: { variable } }));
  });
});

describe('loadApiConfig: API_TOKENS', () => {
  const failure = (env: NodeJS.ProcessEnv): Error => {
    try {
      loadApiConfig(env);
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected CONFIG_INVALID');
  };

  it('keeps only SHA-256 hashes of role:token entries, whitespace ignored', () => {
    const { auth } = loadApiConfig({ API_TOKENS: ` read:${READ} , write : ${WRITE},\nadmin:${ADMIN}` });
    expect(auth).toEqual({
      mode: 'tokens',
      tokens: [
        { role: 'read', sha256: hashToken(READ) },
        { role: 'write', sha256: hashToken(WRITE) },
        { role: 'admin', sha256: hashToken(ADMIN) },
      ],
    });
    expect(JSON.stringify(auth)).not.toContain(READ);
  });

  it('refuses to start without API_TOKENS (unset or empty), naming the way out', () => {
    for (const env of [{}, { API_TOKENS: '' }, { API_AUTH_DISABLED: 'false' }]) {
      const error = failure(env);
      expect(error).toMatchObject({ code: 'CONFIG_INVALID', details: { variable: 'API_TOKENS' } });
      expect(error.message).toContain('API_AUTH_DISABLED=true');
    }
  });

  it('runs without auth only when API_AUTH_DISABLED=true is explicit, and never with tokens too', () => {
    expect(loadApiConfig({ API_AUTH_DISABLED: 'true' }).auth).toEqual({ mode: 'disabled' });
    expect(failure({ API_AUTH_DISABLED: 'yes' })).toMatchObject({ details: { variable: 'API_AUTH_DISABLED' } });
    expect(failure({ API_AUTH_DISABLED: 'true', API_TOKENS: `read:${READ}` })).toMatchObject({ details: { variable: 'API_AUTH_DISABLED' } });
  });

  const secret = 'S3cret-token-that-must-not-leak'; // 31 characters
  it.each([
    ['no colon', secret, 'entry 1 of 1 is not role:token'],
    ['an unknown role', `owner:${secret}`, 'the role must be one of read, write, admin'],
    ['token and role swapped', `${secret}:read`, 'the role must be one of'],
    ['a 23-character token', `read:${'x'.repeat(23)}`, 'at least 24 characters'],
    ['a 513-character token', `read:${'x'.repeat(513)}`, 'at most 512 characters'],
    ['a space in the token', `read:${secret} ${secret}`, 'at most 512 characters from'],
    ['a non-ASCII token', `read:${secret}é`, 'at most 512 characters from'],
    ['an empty entry', `read:${READ},,write:${WRITE}`, 'entry 2 of 3 is not role:token'],
    ['a token listed twice', `read:${secret},admin:${secret}`, 'entry 2 of 2: the token is listed twice'],
  ])('refuses %s, without quoting the entry', (_name, value, message) => {
    const error = failure({ API_TOKENS: value });
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', details: { variable: 'API_TOKENS' } });
    expect(error.message).toContain(message);
    for (const part of [secret, 'owner', 'x'.repeat(23)]) expect(error.message).not.toContain(part);
  });
});
