import { checkReadiness, PROMETHEUS_CONTENT_TYPE, readinessResponse } from '@ledgerflow/metrics';
import type { LedgerDatabase } from '@ledgerflow/sinks';
import type { FastifyInstance } from 'fastify';
import { sql, type Kysely } from 'kysely';

/** What the operational routes need. */
export interface HealthOptions {
  readonly db: Kysely<LedgerDatabase>;
  /** Longest `/readyz` waits for PostgreSQL. */
  readonly readinessTimeoutMs: number;
  /** Prometheus text (Telemetry.collectMetrics); without it there is no `/metrics`. */
  readonly metrics?: () => Promise<string>;
}

/**
 * GET /healthz: the process is up and serving (liveness; it does not touch PostgreSQL, or a
 * database outage would get every API process restarted for nothing).
 * GET /readyz: PostgreSQL answers `select 1` through the server's own pool within the timeout
 * (200), else 503 with the reasons, so a load balancer stops sending commands that would fail.
 * GET /metrics: Prometheus text, when the app started telemetry.
 * All three are public (no bearer token): keep them off the public network, /metrics above
 * all (it names routes, commands and error rates).
 */
export function registerHealth(app: FastifyInstance, options: HealthOptions): void {
  // Public (no token): probes and scrapers carry none. /metrics must therefore be firewalled.
  const open = { config: { auth: 'public' } } as const;
  app.get('/healthz', open, async () => ({ status: 'ok' }));
  app.get('/readyz', open, async (_request, reply) => {
    const readiness = await checkReadiness({ postgres: () => sql`select 1`.execute(options.db) }, options.readinessTimeoutMs);
    const { statusCode, body } = readinessResponse(readiness);
    return reply.status(statusCode).header('cache-control', 'no-store').send(body);
  });
  const metrics = options.metrics;
  if (metrics) {
    app.get('/metrics', open, async (_request, reply) => reply.type(PROMETHEUS_CONTENT_TYPE).header('cache-control', 'no-store').send(await metrics()));
  }
}
