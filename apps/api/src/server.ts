import { createInstruments } from '@ledgerflow/metrics';
import type { LedgerDatabase } from '@ledgerflow/sinks';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { AuthConfig } from './auth/tokens';
import { installAuth } from './http/auth';
import { installErrorHandlers, sendError } from './http/error-handler';
import { installUrlLimit } from './http/limits';
import { requestIdOf } from './http/request-id';
import { installRequestTelemetry } from './http/request-telemetry';
import { installRouteTable } from './http/route-table';
import { registerAccountCommands } from './routes/account-commands';
import { registerAccountQueries } from './routes/account-queries';
import { registerAdminDlq } from './routes/admin-dlq';
import { registerHealth } from './routes/health';
import { registerTransferCommands } from './routes/transfer-commands';

/** What the HTTP server needs; the caller owns (and closes) the database. */
export interface ServerDeps {
  readonly db: Kysely<LedgerDatabase>;
  /** A pino logger; without one the server logs nothing (tests). */
  readonly logger?: FastifyBaseLogger;
  /** Bearer tokens and their roles (ApiConfig.auth); required, so no server is ever open by omission. */
  readonly auth: AuthConfig;
  /** Largest accepted request body. @defaultValue 16384 */
  readonly bodyLimitBytes?: number;
  /** Longest `/readyz` waits for PostgreSQL. @defaultValue 1000 */
  readonly readinessTimeoutMs?: number;
  /** Prometheus text for `GET /metrics` (Telemetry.collectMetrics); without it there is no `/metrics`. */
  readonly metrics?: () => Promise<string>;
}

/**
 * Builds the Ledgerflow API (commands, queries and the admin dead-letter routes) without listening; use `inject` in tests
 * or `listen` in main.ts. Build it after startTelemetry: its instruments bind to the meter
 * provider registered at that moment (none: no-op metrics, as in most tests).
 *
 * @example
 *   const app = buildServer({ db, auth: loadApiConfig().auth });
 *   const res = await app.inject({ method: 'POST', url: '/accounts', payload: { ownerName: 'Ada', initialBalance: '10.00' } });
 */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: deps.bodyLimitBytes ?? 16_384,
    // The caller's x-request-id (when safe) becomes the log reqId and the events' correlationId.
    genReqId: requestIdOf,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Slowloris: a request must arrive whole within 30 s (fastify's default, 0, never times out).
    requestTimeout: 30_000,
    // Request line + headers; Node answers 431 beyond it. Bearer tokens are at most 512 bytes.
    http: { maxHeaderSize: 8192 },
    // URLs the router refuses (bad %-encoding, over-long path segment) get catalogue errors too.
    frameworkErrors: (error, request, reply) => sendError(error, request, reply),
  });
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  // Commands take JSON only: a text body is refused with 415 instead of failing validation.
  app.removeContentTypeParser('text/plain');
  const instruments = createInstruments();
  installRouteTable(app);
  // onRequest order: the span first (refusals are traced too), then the URL limit, then auth.
  installRequestTelemetry(app, instruments);
  installUrlLimit(app);
  installAuth(app, deps.auth);
  installErrorHandlers(app);
  registerHealth(app, { db: deps.db, readinessTimeoutMs: deps.readinessTimeoutMs ?? 1000, ...(deps.metrics ? { metrics: deps.metrics } : {}) });
  registerAccountCommands(app, deps.db);
  registerTransferCommands(app, deps.db);
  registerAccountQueries(app, deps.db, instruments);
  registerAdminDlq(app, deps.db);
  return app;
}
