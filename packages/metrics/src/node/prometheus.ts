import type { IncomingMessage, ServerResponse } from 'node:http';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { PROMETHEUS_CONTENT_TYPE } from '../exposition';

/** Options of the exporter, shared with our serializer so both render the same text. */
const EXPORTER = {
  // Every series gets the app's label from the resource (`app`), and none gets otel_scope_name:
  // all our instruments share one meter, so the scope label would be noise on every series.
  withResourceConstantLabels: /^app$/,
  withoutScopeInfo: true,
} as const;

/** A Prometheus reader plus the ways to serve what it collects. */
export interface PrometheusEndpoint {
  readonly exporter: PrometheusExporter;
  /** The metrics as Prometheus text (for servers that want the body, e.g. fastify). */
  collect(): Promise<string>;
  /** A node:http handler answering with the Prometheus text. */
  handler(req: IncomingMessage, res: ServerResponse): void;
}

/**
 * The Prometheus exporter as a metric reader. By default it starts no server of its own (the
 * ops server or the API serves `/metrics`); with `port` it also listens there, for processes
 * with no HTTP server at all.
 */
export function createPrometheusEndpoint(options: { port?: number; host?: string }, onError: (message: string) => void): PrometheusEndpoint {
  const exporter = new PrometheusExporter({
    ...EXPORTER,
    preventServerStart: options.port === undefined,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
  });
  const serializer = new PrometheusSerializer('', false, EXPORTER.withResourceConstantLabels, false, EXPORTER.withoutScopeInfo);
  const collect = async (): Promise<string> => {
    const { resourceMetrics, errors } = await exporter.collect();
    // A failing gauge callback must not blank the whole scrape: report it and serve the rest.
    for (const error of errors) onError(`metrics collection: ${String(error)}`);
    return serializer.serialize(resourceMetrics);
  };
  const handler = (_req: IncomingMessage, res: ServerResponse): void => {
    collect().then(
      (text) => {
        res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' });
        res.end(text);
      },
      (error: unknown) => {
        onError(`metrics collection failed: ${String(error)}`);
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('# metrics collection failed\n');
      },
    );
  };
  return { exporter, collect, handler };
}
