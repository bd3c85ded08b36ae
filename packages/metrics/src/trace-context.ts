import { context as otelContext, createTraceState, isSpanContextValid, trace, type Context, type Link, type SpanContext } from '@opentelemetry/api';

/**
 * W3C trace context as stored in `events.metadata` and carried in HTTP headers. Written by
 * hand on the OpenTelemetry API (no SDK, no global propagator), so it behaves the same in
 * every process and in tests, and packages can use it too.
 */
export interface TraceCarrier {
  readonly traceparent?: string;
  readonly tracestate?: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** `00-<trace-id>-<span-id>-<flags>` of a span context. */
export function formatTraceparent(spanContext: SpanContext): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/**
 * Parses a traceparent (and optional tracestate) into a remote span context, or undefined when
 * it is malformed, all-zero, or of the forbidden version `ff` (W3C Trace Context §3.2).
 */
export function parseTraceparent(traceparent: string, tracestate?: string): SpanContext | undefined {
  const match = TRACEPARENT.exec(traceparent.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match;
  // Version 00 has exactly four fields; later versions may append more, which we ignore.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  const spanContext: SpanContext = {
    traceId: traceId!,
    spanId: spanId!,
    traceFlags: Number.parseInt(flags!, 16),
    isRemote: true,
    ...(tracestate ? { traceState: createTraceState(tracestate) } : {}),
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** The W3C fields of the span active in `ctx` (default: the active context); {} when none. */
export function injectTraceContext(ctx: Context = otelContext.active()): Record<string, string> {
  const spanContext = trace.getSpanContext(ctx);
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  const tracestate = spanContext.traceState?.serialize();
  return tracestate ? { traceparent: formatTraceparent(spanContext), tracestate } : { traceparent: formatTraceparent(spanContext) };
}

/** The trace fields of a carrier (headers or parsed metadata); arrays as Node gives repeated headers. */
export function carrierOf(carrier: Readonly<Record<string, unknown>>): TraceCarrier {
  const values = (key: string): string[] => {
    const value = carrier[key];
    if (typeof value === 'string') return [value];
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  };
  // A repeated traceparent is invalid anyway: take the first. Repeated tracestate headers
  // are one list split over lines (W3C Trace Context §3.3.1.1): join them.
  const traceparent = values('traceparent')[0];
  const tracestate = values('tracestate').join(',');
  return { ...(traceparent === undefined ? {} : { traceparent }), ...(tracestate === '' ? {} : { tracestate }) };
}

/** The remote span context a carrier holds, if it holds a valid one. */
export function spanContextOf(carrier: Readonly<Record<string, unknown>> | TraceCarrier): SpanContext | undefined {
  // A TraceCarrier is a plain record at run time; the interface only lacks an index signature.
  const { traceparent, tracestate } = carrierOf(carrier as Readonly<Record<string, unknown>>);
  return traceparent === undefined ? undefined : parseTraceparent(traceparent, tracestate);
}

/** `ctx` (default: the active context) with the carrier's remote span as parent; unchanged when it has none. */
export function extractTraceContext(carrier: Readonly<Record<string, unknown>>, ctx: Context = otelContext.active()): Context {
  const spanContext = spanContextOf(carrier);
  return spanContext ? trace.setSpanContext(ctx, spanContext) : ctx;
}

/** The trace carrier inside an event's `metadata` (JSON text or parsed), if it has one. */
export function traceCarrierOfMetadata(metadata: string | Readonly<Record<string, unknown>> | null | undefined): TraceCarrier | undefined {
  if (metadata === null || metadata === undefined) return undefined;
  let parsed: unknown = metadata;
  if (typeof metadata === 'string') {
    try {
      parsed = JSON.parse(metadata);
    } catch {
      return undefined; // metadata is informational; a bad one must not stop the pipeline
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const carrier = carrierOf(parsed as Record<string, unknown>);
  return carrier.traceparent === undefined ? undefined : carrier;
}

/** Most links a span keeps by default (OpenTelemetry's linkCountLimit). */
export const MAX_LINKS = 128;

/**
 * Links from one batch span to the traces of the events in it (a batch has many parents, so
 * it links to them instead of picking one). Duplicates (e.g. the two events of a transfer)
 * and invalid carriers are dropped; at most `max` links are kept, the first ones.
 */
export function linksFromCarriers(carriers: Iterable<Readonly<Record<string, unknown>> | TraceCarrier | undefined>, max: number = MAX_LINKS): Link[] {
  const links: Link[] = [];
  const seen = new Set<string>();
  for (const carrier of carriers) {
    if (links.length >= max) break;
    const spanContext = carrier && spanContextOf(carrier);
    if (!spanContext) continue;
    const key = `${spanContext.traceId}-${spanContext.spanId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    links.push({ context: spanContext });
  }
  return links;
}
