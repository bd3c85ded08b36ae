import { context as otelContext, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Tracer } from '@opentelemetry/api';
import { extractTraceContext } from './trace-context';

/** Name of the tracer of Ledgerflow's own spans. */
export const TRACER_NAME = 'ledgerflow';

/** What a server knows about a request when it starts routing it. */
export interface RequestSpanInput {
  readonly method: string;
  /** The route template (`/accounts/:id/deposits`), never the raw path: span names must stay bounded. */
  readonly route: string;
  /** Request headers; their W3C trace context is the parent when no span is active. */
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly attributes?: Attributes;
}

/** The span of one request, and the context to run its handler in. */
export interface RequestSpan {
  /** The context holding the span (pass it on, or `run` code in it). */
  readonly context: Context;
  /** Runs `fn` with the span active, so child spans (pg …) and injectTraceContext() see it. */
  run<T>(fn: () => T): T;
  /** Ends the span with the response status; 5xx (or an error) marks it failed. */
  end(statusCode: number, error?: unknown): void;
}

/**
 * Starts the span of one HTTP request, named `<METHOD> <route>`. Under the http
 * instrumentation a server span is already active: this one becomes its INTERNAL child carrying
 * the route. Without it (fastify.inject in tests, or instrumentation off) it is the SERVER span
 * and continues the caller's trace from the `traceparent` header.
 */
export function startRequestSpan(input: RequestSpanInput, tracer: Tracer = trace.getTracer(TRACER_NAME)): RequestSpan {
  const active = otelContext.active();
  const underServerSpan = trace.getSpan(active) !== undefined;
  const parent = underServerSpan ? active : extractTraceContext(input.headers ?? {}, active);
  const span = tracer.startSpan(
    `${input.method} ${input.route}`,
    {
      kind: underServerSpan ? SpanKind.INTERNAL : SpanKind.SERVER,
      attributes: { 'http.request.method': input.method, 'http.route': input.route, ...input.attributes },
    },
    parent,
  );
  const ctx = trace.setSpan(parent, span);
  return {
    context: ctx,
    run: (fn) => otelContext.with(ctx, fn),
    end(statusCode, error) {
      span.setAttribute('http.response.status_code', statusCode);
      if (error instanceof Error && statusCode >= 500) span.recordException(error);
      if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${statusCode}` });
      span.end();
    },
  };
}

/** `2xx`, `4xx` …: a bounded label for an HTTP status. */
export function statusClass(statusCode: number): string {
  return statusCode >= 100 && statusCode < 600 ? `${Math.floor(statusCode / 100)}xx` : 'other';
}
