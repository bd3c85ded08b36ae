import { registerGauges } from '@ledgerflow/metrics';
import { createOpsServer, type OpsServer, type OpsServerOptions } from '@ledgerflow/metrics/node';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Logger } from 'pino';
import type { IngestConfig } from './config';
import type { IngestMetrics } from './ingest-metrics';
import { ingestReadiness } from './readiness';

/** What the ops side of ingest needs. */
export interface OpsDeps {
  readonly config: IngestConfig;
  readonly metrics: IngestMetrics;
  /** Serves `/metrics` (Telemetry.metricsHandler); 404 without. */
  readonly metricsHandler?: OpsServerOptions['metricsHandler'];
  readonly logger: Logger;
  /** Longest each readiness check may take (ms). @defaultValue 1000 */
  readonly readinessTimeoutMs?: number;
}

/** The running ops side. */
export interface Ops {
  /** `http://host:port` of the ops server; undefined when it could not listen. */
  readonly url: string | undefined;
  close(): Promise<void>;
}

/**
 * Registers ingest's gauges (call after startTelemetry) and serves `/healthz`, `/readyz` and
 * `/metrics` on LEDGERFLOW_INGEST_OPS_HOST:PORT. Readiness uses connections of its own, so a
 * probe never waits behind ingest's work, and fails fast while a dependency is down. Start it
 * before startIngest: probes answer (not ready, with the reason) while start-up retries.
 *
 * If the port is taken, ingest runs on without the endpoints and logs an error: moving events
 * matters more than exposing them, and scrapes and probes failing make the problem visible.
 */
export async function startOps(deps: OpsDeps): Promise<Ops> {
  const { config, metrics, logger } = deps;
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 1, application_name: 'ledgerflow-ingest-ops', connectionTimeoutMillis: 1000, query_timeout: 2000 });
  pool.on('error', (error) => logger.debug({ err: error }, 'idle ops PostgreSQL connection failed'));
  const redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1000 });
  redis.on('error', (error) => logger.debug({ err: error }, 'ops Redis connection error'));
  const unregister = registerGauges(metrics.gaugeSources());
  const readiness = ingestReadiness({ pool, redis, slotName: config.slotName, session: metrics, timeoutMs: deps.readinessTimeoutMs ?? 1000 });
  let server: OpsServer | undefined;
  try {
    server = await createOpsServer({ port: config.opsPort, host: config.opsHost, readiness, ...(deps.metricsHandler ? { metricsHandler: deps.metricsHandler } : {}) });
    logger.info({ url: server.url }, 'ops server listening (/healthz, /readyz, /metrics)');
  } catch (error) {
    logger.error({ err: error, host: config.opsHost, port: config.opsPort }, 'ops server could not listen: running without /healthz, /readyz and /metrics (set LEDGERFLOW_INGEST_OPS_PORT)');
  }
  return {
    url: server?.url,
    async close() {
      await server?.close().catch(() => undefined);
      unregister();
      await redis.quit().catch(() => redis.disconnect());
      await pool.end().catch(() => undefined);
    },
  };
}
