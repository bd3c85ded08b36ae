import { startTelemetry, type Telemetry } from '@ledgerflow/metrics/node';
import pino, { type Logger } from 'pino';
import { loadIngestConfig, type IngestConfig } from './config';

/** The outcome of booting: config, logger and telemetry, or why booting failed. */
export type Boot = { readonly ok: true; readonly config: IngestConfig; readonly logger: Logger; readonly telemetry: Telemetry } | { readonly ok: false; readonly error: unknown };

function bootIngest(): Boot {
  try {
    const config = loadIngestConfig();
    const logger = pino({ name: 'ledgerflow-ingest', level: config.logLevel });
    const telemetry = startTelemetry({
      serviceName: config.serviceName,
      app: 'ingest',
      otlpTracesUrl: config.otlpTracesUrl,
      log: (level, message) => logger[level]({ component: 'opentelemetry' }, message),
    });
    return { ok: true, config, logger, telemetry };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Started when this module is loaded, which main.ts makes happen FIRST: OpenTelemetry's
 * instrumentations patch `pg`, `ioredis` and `http` through require hooks as those modules are
 * loaded, so they must load after this (apps run as CommonJS under `node --require tsx/cjs`,
 * and the imports of main.ts run in order). Failures are kept for main() to report.
 */
export const boot: Boot = bootIngest();
