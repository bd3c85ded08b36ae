import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/**
 * Log paths whose values are replaced by `[redacted]`: credentials wherever a header object
 * or the raw header list may end up in a log line (`{ headers }`, `{ req }`, `{ request }` …).
 */
export const REDACTED_PATHS: readonly string[] = [
  ...['authorization', 'proxy-authorization', 'cookie', 'x-api-key'].flatMap((h) => [`["${h}"]`, `*["${h}"]`, `*.headers["${h}"]`, `*.*.headers["${h}"]`]),
  'rawHeaders',
  '*.rawHeaders',
  '*.*.rawHeaders',
  'token',
  '*.token',
];

interface LoggedRequest {
  readonly method?: unknown;
  readonly url?: unknown;
  readonly ip?: unknown;
}

/**
 * How a request appears in fastify's `incoming request` line: method, path and client address.
 * Never headers; and never the query string either, where RFC 6750 lets clients put an
 * `access_token` (this API does not accept one, but a misconfigured client may still send it).
 */
export function requestLogView(req: LoggedRequest): { method: unknown; url: string; remoteAddress: unknown } {
  const url = typeof req.url === 'string' ? req.url : '';
  const query = url.indexOf('?');
  return { method: req.method, url: query < 0 ? url : `${url.slice(0, query)}?…`, remoteAddress: req.ip };
}

/** What the API logger needs: a level, and where to write (stdout unless given, e.g. a test buffer). */
export interface ApiLoggerOptions {
  readonly level: LoggerOptions['level'];
  readonly destination?: DestinationStream;
}

/**
 * The API's pino logger: JSON lines with `service: api`, credentials redacted (see
 * REDACTED_PATHS) and requests logged through requestLogView. Used by main.ts (via
 * telemetry.ts) and by tests that capture the log to prove no token ever reaches it.
 */
export function createApiLogger(options: ApiLoggerOptions): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: 'api' },
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    serializers: { req: requestLogView },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
