import type { StoredEvent } from '@ledgerflow/cdc-core';
import { MAX_LINKS } from '@ledgerflow/metrics';
import { describe, expect, it } from 'vitest';
import { enqueueLinks, startEnqueueSpan } from './enqueue-span';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const traceparent = (n: number) => `00-${TRACE}-${n.toString(16).padStart(16, '0')}-01`;
const event = (position: number, metadata: string): StoredEvent => ({
  position: BigInt(position),
  eventId: `e${position}`,
  streamId: 's',
  version: position,
  type: 'MoneyDeposited',
  data: '{}',
  metadata,
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('enqueueLinks', () => {
  it("links each event's trace once, skipping metadata without a valid trace context", () => {
    const events = [
      event(1, JSON.stringify({ traceparent: traceparent(1), tracestate: 'k6=load' })),
      event(2, JSON.stringify({ traceparent: traceparent(1), tracestate: 'k6=load' })), // same command
      event(3, '{}'),
      event(4, '{not json'),
      event(5, JSON.stringify({ traceparent: 'garbage' })),
      event(6, JSON.stringify({ traceparent: traceparent(2) })),
    ];
    const links = enqueueLinks(events);
    expect(links.map((l) => l.context.spanId)).toEqual([traceparent(1), traceparent(2)].map((t) => t.split('-')[2]));
    expect(links[0]!.context.traceState?.serialize()).toBe('k6=load');
  });

  it('stops at MAX_LINKS without parsing the rest', () => {
    const events = Array.from({ length: MAX_LINKS + 50 }, (_, i) => event(i + 1, JSON.stringify({ traceparent: traceparent(i + 1) })));
    let parsed = 0;
    const counting = events.map((e) => ({
      ...e,
      get metadata() {
        parsed++;
        return e.metadata;
      },
    }));
    expect(enqueueLinks(counting)).toHaveLength(MAX_LINKS);
    expect(parsed).toBe(MAX_LINKS + 1); // linksFromCarriers looks at one more before it checks the cap
  });
});

describe('startEnqueueSpan', () => {
  it('gives jobs no trace metadata without a tracer, and ends quietly', () => {
    const span = startEnqueueSpan(undefined, { partition: 0, queueName: 'p0', events: [], jobs: 0 });
    expect(span.jobMetadata).toBeUndefined();
    expect(() => span.end(new Error('x'))).not.toThrow();
  });
});
