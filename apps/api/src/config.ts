import { LedgerflowError } from '@ledgerflow/cdc-core';
import { z } from 'zod';
import { parseApiTokens, type AuthConfig } from './auth/tokens';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/ledgerflow';

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be from ${min} to ${max}`);

const schema = z.object({
  DATABASE_URL: z.string().url().default(DEFAULT_DATABASE_URL),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: integer(0, 65_535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  API_BODY_LIMIT_BYTES: integer(1024, 10 * 1024 * 1024).default(16_384),
  API_DB_POOL_MAX: integer(1, 200).default(10),
  API_READINESS_TIMEOUT_MS: integer(50, 30_000).default(1000),
  OTEL_SERVICE_NAME: z.string().min(1).default('ledgerflow-api'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL').optional(),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none']).default('otlp'),
  // Parsed by parseApiTokens, whose errors never quote the value (zod's could).
  API_TOKENS: z.string().optional(),
  API_AUTH_DISABLED: z.enum(['true', 'false']).default('false'),
});

/**
 * The OTLP/HTTP traces URL: the base endpoint plus `/v1/traces`, as the OpenTelemetry spec
 * says for OTEL_EXPORTER_OTLP_ENDPOINT. No endpoint, or OTEL_TRACES_EXPORTER=none: no export.
 */
function tracesUrl(endpoint: string | undefined, exporter: 'otlp' | 'none'): string | undefined {
  if (endpoint === undefined || exporter === 'none') return undefined;
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/** The API's configuration, read once at start-up. */
export interface ApiConfig {
  /** `DATABASE_URL` @defaultValue postgres://postgres@127.0.0.1:5432/ledgerflow */
  readonly databaseUrl: string;
  /** `API_HOST` @defaultValue 127.0.0.1 */
  readonly host: string;
  /** `API_PORT` @defaultValue 3000 */
  readonly port: number;
  /** `LOG_LEVEL` @defaultValue info */
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `API_BODY_LIMIT_BYTES` @defaultValue 16384 */
  readonly bodyLimitBytes: number;
  /** `API_DB_POOL_MAX`: PostgreSQL connections of the pool. @defaultValue 10 */
  readonly dbPoolMax: number;
  /** `API_READINESS_TIMEOUT_MS`: longest `/readyz` waits for PostgreSQL. @defaultValue 1000 */
  readonly readinessTimeoutMs: number;
  /** `OTEL_SERVICE_NAME` @defaultValue ledgerflow-api */
  readonly serviceName: string;
  /**
   * From `OTEL_EXPORTER_OTLP_ENDPOINT` (e.g. http://127.0.0.1:4318) + `/v1/traces`; undefined
   * (no trace export) when it is unset or `OTEL_TRACES_EXPORTER` is `none`.
   */
  readonly otlpTracesUrl: string | undefined;
  /**
   * From `API_TOKENS`: who may call the API, as `Authorization: Bearer <token>`. Format:
   * comma-separated `role:token` entries, e.g. `read:<token>,write:<token>,admin:<token>`;
   * roles `read` (GET queries) ⊂ `write` (commands) ⊂ `admin` (operations: DLQ, rebuild);
   * a token is 24–512 characters of `A-Z a-z 0-9 - . _ ~ + /` (trailing `=` allowed), e.g.
   * `openssl rand -base64 32 | tr -d '\n'`, and is listed once. Several tokens may share a role
   * (rotation: add the new one, move clients, remove the old one). Only SHA-256 hashes of the
   * tokens are kept once loaded. `/healthz`, `/readyz` and `/metrics` need no token.
   *
   * Required: without `API_TOKENS` the API refuses to start, unless `API_AUTH_DISABLED=true`
   * (local experiments only: every caller is then admin, and a warning is logged at start).
   * Setting both is refused too, so a forgotten `API_AUTH_DISABLED` cannot silently open
   * an API its operator believes protected.
   */
  readonly auth: AuthConfig;
}

/**
 * Validates the environment (empty values count as unset) and returns a frozen config.
 * Throws CONFIG_INVALID naming the variable at fault, never its value (it may be a secret).
 */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const variable = issue.path.map(String).join('.');
    throw new LedgerflowError('CONFIG_INVALID', `${variable}: ${issue.message}`, { details: { variable } });
  }
  const c = result.data;
  const auth = authConfig(c.API_TOKENS, c.API_AUTH_DISABLED === 'true');
  return Object.freeze({
    databaseUrl: c.DATABASE_URL,
    host: c.API_HOST,
    port: c.API_PORT,
    logLevel: c.LOG_LEVEL,
    bodyLimitBytes: c.API_BODY_LIMIT_BYTES,
    dbPoolMax: c.API_DB_POOL_MAX,
    readinessTimeoutMs: c.API_READINESS_TIMEOUT_MS,
    serviceName: c.OTEL_SERVICE_NAME,
    otlpTracesUrl: tracesUrl(c.OTEL_EXPORTER_OTLP_ENDPOINT, c.OTEL_TRACES_EXPORTER),
    auth,
  });
}

/** Tokens, or auth disabled on purpose; neither (or both) is a configuration error. */
function authConfig(tokens: string | undefined, disabled: boolean): AuthConfig {
  const fail = (variable: string, message: string) => new LedgerflowError('CONFIG_INVALID', `${variable}: ${message}`, { details: { variable } });
  if (tokens !== undefined && disabled) throw fail('API_AUTH_DISABLED', 'must not be true while API_TOKENS is set (pick one)');
  if (disabled) return Object.freeze({ mode: 'disabled' });
  if (tokens === undefined) throw fail('API_TOKENS', 'is required: comma-separated role:token entries (or API_AUTH_DISABLED=true, for local experiments only)');
  return Object.freeze({ mode: 'tokens', tokens: parseApiTokens(tokens) });
}
