import pino from 'pino';
import { loadIngestConfig } from './config';
import { startIngest, type IngestHandle } from './ingest';
import { useRawJsonParsers } from './pg-json';

/**
 * Composition root of the ingest process. On a fatal error it exits with code 1 and relies on
 * its supervisor (systemd, Kubernetes, docker restart policy) to start it again: nothing is
 * confirmed to PostgreSQL before it is in Redis, so a fresh process resumes from the slot
 * without loss, and one recovery path is simpler to trust than in-process reconnect logic.
 */
async function main(): Promise<void> {
  useRawJsonParsers();
  const config = loadIngestConfig();
  const logger = pino({ name: 'ledgerflow-ingest', level: config.logLevel });
  const aborter = new AbortController();
  let handle: IngestHandle | undefined;
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    aborter.abort();
    if (!handle) return; // start-up sees the abort and unwinds; main() then exits
    handle.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  try {
    handle = await startIngest(config, { logger, signal: aborter.signal, onFatal: () => process.exit(1) });
  } catch (error) {
    if (aborter.signal.aborted) process.exit(0);
    logger.fatal({ err: error }, 'ingest failed to start');
    process.exit(1);
  }
  if (aborter.signal.aborted) await handle.stop().then(() => process.exit(0));
  logger.info({ partitions: config.partitions, prefix: config.redisPrefix, slot: config.slotName }, 'ingest running');
}

void main();
