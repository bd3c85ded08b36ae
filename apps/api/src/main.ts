import { createDb } from '@ledgerflow/sinks';
import pg from 'pg';
import { pino } from 'pino';
import { loadApiConfig } from './config';
import { buildServer } from './server';

/** Composition root: config → pool → server → listen; SIGTERM/SIGINT close it all and exit 0. */
async function main(): Promise<void> {
  const config = loadApiConfig();
  const logger = pino({ level: config.logLevel, base: { service: 'api' } });
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.dbPoolMax });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', (err) => logger.warn({ err }, 'idle PostgreSQL connection failed'));
  const db = createDb(pool);
  const app = buildServer({ db, logger, bodyLimitBytes: config.bodyLimitBytes });
  await app.listen({ host: config.host, port: config.port });

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    // app.close() lets in-flight requests finish; only then is the pool ended.
    void app
      .close()
      .then(() => db.destroy())
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
