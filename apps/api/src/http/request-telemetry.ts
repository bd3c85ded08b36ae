import { startRequestSpan, statusClass, type Instruments, type RequestSpan } from '@ledgerflow/metrics';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The command a route runs (`DepositMoney` …): it gets counted by type and outcome. */
    command?: string;
  }
}

/** Probes and scrapes: no span and no request metric, or they would drown the real traffic. */
const OPS_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

const spans = new WeakMap<FastifyRequest, RequestSpan>();
const outcomes = new WeakMap<FastifyRequest, { code: string; error?: unknown }>();

/** Notes the catalogue code a request failed with (called by the error and not-found handlers). */
export function noteOutcome(request: FastifyRequest, code: string, error?: unknown): void {
  outcomes.set(request, { code, error });
}

const routeOf = (request: FastifyRequest): string => request.routeOptions.url ?? 'unmatched';

/**
 * Per request: a span named by method and route template, active while the handler runs (so
 * pg spans nest under it and commands can copy its trace context into their events); then the
 * request-duration histogram and, for command routes, the commands counter by outcome code.
 */
export function installRequestTelemetry(app: FastifyInstance, instruments: Instruments): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (OPS_ROUTES.has(routeOf(request))) return done();
    const span = startRequestSpan({ method: request.method, route: routeOf(request), headers: request.headers, attributes: { 'ledgerflow.request_id': request.id } });
    spans.set(request, span);
    span.run(done);
  });
  // Body parsing runs on socket callbacks that carry no context: re-enter the span so the
  // handler, which fastify calls from this hook's `done`, runs inside it.
  app.addHook('preHandler', (request, _reply, done) => {
    const span = spans.get(request);
    return span ? span.run(done) : done();
  });
  app.addHook('onRequestAbort', async (request) => {
    spans.get(request)?.end(499);
    spans.delete(request);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = routeOf(request);
    if (OPS_ROUTES.has(route)) return;
    const outcome = outcomes.get(request);
    spans.get(request)?.end(reply.statusCode, outcome?.error);
    spans.delete(request);
    instruments.requestDuration.record(reply.elapsedTime / 1000, { method: request.method, route, status_class: statusClass(reply.statusCode) });
    const command = request.routeOptions.config.command;
    if (command !== undefined) {
      instruments.commands.add(1, { command, code: reply.statusCode < 400 ? 'OK' : (outcome?.code ?? 'UNKNOWN') });
    }
  });
}
