import { pino } from 'pino';
import { loadProjectorConfig } from './config';
import { startProjector } from './projector';

/** Composition root: configuration, logger, projector; SIGTERM/SIGINT stop it gracefully. */
async function main(): Promise<void> {
  const config = loadProjectorConfig();
  const logger = pino({ level: config.logLevel, base: { service: 'projector' } });
  const projector = await startProjector(config, { logger });
  let exiting = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (exiting) return;
    exiting = true;
    logger.info({ signal }, 'stopping projector');
    projector.stop().then(
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
  pino().fatal({ err }, 'projector failed to start');
  process.exit(1);
});
