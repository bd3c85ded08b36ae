// Must stay the FIRST import: it starts OpenTelemetry before pg, fastify and http are loaded.
import { boot } from './telemetry';
import { createDb } from '@ledgerflow/sinks';
import type { Logger } from 'pino';
import type { ApiConfig } from './config';
import { routeTableOf } from './http/route-table';
import { createPool } from './pool';
import { buildServer } from './server';

/** Says how callers are authenticated; loudly (even under LOG_LEVEL=error) when nobody is. */
function reportAuth(config: ApiConfig, logger: Logger): void {
  if (config.auth.mode === 'tokens') {
    const roles = config.auth.tokens.map((t) => t.role);
    logger.info({ tokens: roles.length, roles: [...new Set(roles)] }, 'bearer-token auth enabled');
    return;
  }
  const warning = 'AUTHENTICATION IS DISABLED (API_AUTH_DISABLED=true): anyone who can reach this port can move money. Never run like this outside a local experiment.';
  if (logger.isLevelEnabled('warn')) logger.warn({ auth: 'disabled' }, warning);
  else process.stderr.write(`${JSON.stringify({ level: 'warn', msg: warning })}\n`);
}

/** Composition root: telemetry → pool → server → listen; SIGTERM/SIGINT close it all and exit 0. */
async function main(): Promise<void> {
  if (!boot.ok) throw boot.error;
  const { config, logger, telemetry } = boot;
  reportAuth(config, logger);
  const pool = createPool({
    connectionString: config.databaseUrl,
    max: config.dbPoolMax,
    onConnectionError: (err) => logger.warn({ err }, 'PostgreSQL connection failed'),
  });
  const db = createDb(pool);
  const app = buildServer({ db, logger, auth: config.auth, bodyLimitBytes: config.bodyLimitBytes, readinessTimeoutMs: config.readinessTimeoutMs, metrics: telemetry.collectMetrics });
  await app.listen({ host: config.host, port: config.port });
  logger.debug({ routes: routeTableOf(app).map((r) => `${r.method} ${r.url} → ${r.access}`) }, 'routes');

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    // app.close() lets in-flight requests finish; only then is the pool ended and the last spans sent.
    void app
      .close()
      .then(() => db.destroy())
      .then(() => telemetry.shutdown())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'unclean stop');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  // The logger may not exist yet (bad config): write one JSON line by hand.
  process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: 'api failed to start', err: String(err) })}\n`);
  process.exit(1);
});
