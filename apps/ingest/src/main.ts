import pino from 'pino';
import { loadIngestConfig } from './config';
import { startIngest, type IngestHandle } from './ingest';
import { useRawJsonParsers } from './pg-json';

/**
 * Composition root of the ingest process. Connection, server and Redis failures are retried
 * inside the process (supervisor.ts), forever, with a log line per attempt. Only a failure no
 * retry can fix (a misconfigured slot) exits with code 1, for the orchestrator to surface.
 * SIGTERM/SIGINT stop gracefully at any moment (also mid-backoff) and exit 0: whole
 * transactions read are flushed, then confirmed, so the slot stands exactly at what is in Redis.
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
