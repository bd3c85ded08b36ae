// Must stay the FIRST import: it starts OpenTelemetry before pg, ioredis and bullmq are loaded.
import { boot } from './telemetry';
import { createInstruments } from '@ledgerflow/metrics';
import { startIngest, type IngestHandle } from './ingest';
import { IngestMetrics } from './ingest-metrics';
import { agreeOnPartitions } from './partition-agreement';
import { startOps, type Ops } from './ops';
import { useRawJsonParsers } from './pg-json';

/**
 * Composition root of the ingest process: telemetry → ops server (`/healthz`, `/readyz`,
 * `/metrics`) → ingest. Connection, server and Redis failures are retried inside the process
 * (supervisor.ts), forever, with a log line per attempt. Only a failure no retry can fix (a
 * misconfigured slot) exits with code 1, for the orchestrator to surface. SIGTERM/SIGINT stop
 * gracefully at any moment (also mid-backoff) and exit 0: whole transactions read are flushed,
 * then confirmed, so the slot stands exactly at what is in Redis; the last spans are exported.
 */
async function main(): Promise<void> {
  if (!boot.ok) throw boot.error;
  const { logger, telemetry } = boot;
  useRawJsonParsers();
  const aborter = new AbortController();
  // Filled in as start-up proceeds; a signal may arrive at any point of it.
  const running: { handle?: IngestHandle; ops?: Ops } = {};
  let finishing: Promise<void> | undefined;
  const finish = (code: number) =>
    (finishing ??= (async () => {
      await running.handle?.stop();
      await running.ops?.close();
      await telemetry.shutdown();
    })().then(
      () => process.exit(code),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    ));
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    aborter.abort();
    if (running.handle) void finish(0); // else start-up sees the abort and unwinds first
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  // After startTelemetry: the OpenTelemetry API has no proxy meter.
  const metrics = new IngestMetrics({ partitions: boot.config.partitions, instruments: createInstruments() });
  const ops = await startOps({ config: boot.config, metrics, metricsHandler: telemetry.metricsHandler, logger });
  running.ops = ops;
  // The database's partition count, before anything is built on it (decision 017); /healthz answers meanwhile.
  const config = await agreeOnPartitions(boot.config, { logger, signal: aborter.signal }).catch((error: unknown) => {
    logger.fatal({ err: error }, 'ingest failed to start');
    return null;
  });
  if (config === null) return void finish(1);
  if (config === undefined) return void finish(0);
  metrics.usePartitions(config.partitions);
  try {
    running.handle = await startIngest(config, {
      logger,
      signal: aborter.signal,
      onFatal: () => void finish(1),
      metrics,
      tracer: telemetry.tracer,
    });
  } catch (error) {
    if (aborter.signal.aborted) return void finish(0);
    logger.fatal({ err: error }, 'ingest failed to start');
    return void finish(1);
  }
  if (aborter.signal.aborted) return void finish(0);
  // The job budget is derived from the partitions unless set (decision 013): say which it is.
  logger.info({ partitions: config.partitions, maxJobsPerSecond: config.maxJobsPerSecond, prefix: config.redisPrefix, slot: config.slotName, ops: ops.url ?? null }, 'ingest running');
}

main().catch((err: unknown) => {
  // The logger may not exist yet (bad config): write one JSON line by hand.
  process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: 'ingest failed to start', err: String(err) })}\n`);
  process.exit(1);
});
