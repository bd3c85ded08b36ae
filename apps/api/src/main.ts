// Must stay the FIRST import: it starts OpenTelemetry before pg, fastify and http are loaded.
import { boot } from './telemetry';
import { createDb } from '@ledgerflow/sinks';
import { createPool } from './pool';
import { buildServer } from './server';

/** Composition root: telemetry → pool → server → listen; SIGTERM/SIGINT close it all and exit 0. */
async function main(): Promise<void> {
  if (!boot.ok) throw boot.error;
  const { config, logger, telemetry } = boot;
  const pool = createPool({
    connectionString: config.databaseUrl,
    max: config.dbPoolMax,
    onConnectionError: (err) => logger.warn({ err }, 'PostgreSQL connection failed'),
  });
  const db = createDb(pool);
  const app = buildServer({ db, logger, bodyLimitBytes: config.bodyLimitBytes, readinessTimeoutMs: config.readinessTimeoutMs, metrics: telemetry.collectMetrics });
  await app.listen({ host: config.host, port: config.port });

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
