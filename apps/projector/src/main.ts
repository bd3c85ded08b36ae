// Must stay the FIRST import: it starts OpenTelemetry before pg, ioredis and http are loaded.
import { boot } from './telemetry';
import { LedgerflowError } from '@ledgerflow/cdc-core';
import type { Readiness } from '@ledgerflow/metrics';
import { createOpsServer, type OpsServer, type Telemetry } from '@ledgerflow/metrics/node';
import { pino, type Logger } from 'pino';
import type { ProjectorConfig } from './config';
import { startProjector, type Projector } from './projector';

const STARTING: Readiness = Object.freeze({ ready: false, reasons: ['starting: joining the fleet'] });

const isAddressInUse = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === 'EADDRINUSE';

/**
 * Listens for `/healthz`, `/readyz` and `/metrics`. The default port taken (another projector
 * on this host) falls back to a free one, logged; a port set explicitly and taken is a
 * configuration error, since whatever scrapes it would reach another process.
 */
async function listen(config: ProjectorConfig, telemetry: Telemetry, logger: Logger, readiness: () => Promise<Readiness>): Promise<OpsServer> {
  const open = (port: number) => createOpsServer({ port, host: config.opsHost, readiness, metricsHandler: telemetry.metricsHandler });
  try {
    return await open(config.opsPort);
  } catch (err) {
    if (config.opsPortFallback && isAddressInUse(err)) {
      const ops = await open(0);
      logger.warn({ taken: config.opsPort, port: ops.port }, 'the default ops port is taken (another projector on this host?); listening on a free one instead: set LEDGERFLOW_PROJECTOR_OPS_PORT to choose');
      return ops;
    }
    const reason = err instanceof Error ? err.message : String(err);
    const message = `LEDGERFLOW_PROJECTOR_OPS_PORT: cannot listen on ${config.opsHost}:${config.opsPort} (${reason}); projectors on one host need a port each, or 0 for any free one`;
    throw new LedgerflowError('CONFIG_INVALID', message, { cause: err });
  }
}

/**
 * Composition root: telemetry → ops server → projector; SIGTERM/SIGINT drain the projector,
 * close the ops server, send the last spans and exit 0. The ops server comes first so that a
 * port already taken fails the start before this member joins the fleet and moves partitions.
 */
async function main(): Promise<void> {
  if (!boot.ok) throw boot.error;
  const { config, logger, telemetry } = boot;
  let projector: Projector | undefined;
  const ops = await listen(config, telemetry, logger, () => (projector ? projector.readiness() : Promise.resolve(STARTING)));
  logger.info({ url: ops.url, port: ops.port }, 'ops server listening: /healthz, /readyz, /metrics');
  try {
    projector = await startProjector(config, { logger, tracer: telemetry.tracer });
  } catch (err) {
    await ops.close();
    throw err;
  }
  const running = projector;
  let exiting = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (exiting) return;
    exiting = true;
    logger.info({ signal }, 'stopping projector');
    // The ops server stays up while the partitions drain (liveness answers; readiness says not ready).
    running
      .stop()
      .then(() => ops.close())
      .then(() => telemetry.shutdown())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'projector did not stop cleanly');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  // The logger may not exist yet (bad configuration): a plain one says why.
  pino().fatal({ err }, 'projector failed to start');
  process.exit(1);
});
