import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstruments, type Instruments } from '../instruments';
import { LastValues } from '../last-values';
import { registerGauges } from '../gauges';
import { METRIC } from '../names';
import { createOpsServer, type OpsServer } from './ops-server';
import type { Readiness } from '../readiness';
import { promtoolCheck } from './promtool';
import { startTelemetry, type Telemetry } from './telemetry';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

const spans = new InMemorySpanExporter();
let telemetry: Telemetry;
let ops: OpsServer;
let instruments: Instruments;
let readiness: Readiness = { ready: true, reasons: [] };
let unregister: () => void;

beforeAll(async () => {
  telemetry = startTelemetry({ serviceName: 'ledgerflow-ops-test', app: 'ops_test', spanProcessors: [new SimpleSpanProcessor(spans)], log: () => undefined });
  // Apps run as CommonJS, so `require('http')` after startTelemetry lets the instrumentation
  // patch http.Server; vitest loads modules as ESM, which require hooks never see: do it by hand.
  createRequire(__filename)('node:http');
  instruments = createInstruments();
  const applied = new LastValues();
  applied.set(41n, { partition: 2 });
  unregister = registerGauges({ appliedPosition: applied.source, slotRetainedWal: () => [{ value: 16_777_216 }] });
  ops = await createOpsServer({ port: 0, readiness: async () => readiness, metricsHandler: telemetry.metricsHandler });
});
afterAll(async () => {
  unregister?.();
  await ops?.close();
  await telemetry?.shutdown();
});

const get = (path: string, init?: RequestInit) => fetch(`${ops.url}${path}`, init);

describe('ops server', () => {
  it('/healthz answers 200 while the process runs, whatever readiness says', async () => {
    readiness = { ready: false, reasons: ['postgres: down'] };
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz follows readiness: 503 with the reasons, then 200', async () => {
    readiness = { ready: false, reasons: ['postgres: connect ECONNREFUSED 127.0.0.1:5432', 'redis: connection is closed'] };
    const down = await get('/readyz');
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'not_ready', reasons: readiness.reasons });
    readiness = { ready: true, reasons: [] };
    const up = await get('/readyz');
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: 'ready', reasons: [] });
  });

  it('/readyz says not ready when the readiness function fails or hangs', async () => {
    const failing = await createOpsServer({ port: 0, readiness: async () => Promise.reject(new Error('boom')), readinessTimeoutMs: 50 });
    const hanging = await createOpsServer({ port: 0, readiness: () => new Promise(() => {}), readinessTimeoutMs: 50 });
    try {
      expect(await (await fetch(`${failing.url}/readyz`)).json()).toEqual({ status: 'not_ready', reasons: ['readiness: boom'] });
      const res = await fetch(`${hanging.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'not_ready', reasons: ['readiness: no answer within 50 ms'] });
      expect((await fetch(`${failing.url}/metrics`)).status).toBe(404); // no metricsHandler given
    } finally {
      await failing.close();
      await hanging.close();
    }
  });

  it('/metrics serves the Prometheus text with our metrics and the app label', async () => {
    instruments.eventsApplied.add(5, { partition: 2 });
    instruments.batchDuration.record(0.042, { partition: 2 });
    instruments.eventsFailed.add(1, { partition: 2, code: 'EVENT_RULE_VIOLATION' });
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain(`${METRIC.eventsApplied}_total{partition="2",app="ops_test"} 5`);
    expect(text).toContain(`${METRIC.eventsFailed}_total{partition="2",code="EVENT_RULE_VIOLATION",app="ops_test"} 1`);
    expect(text).toContain(`${METRIC.batchDuration}_bucket{partition="2",app="ops_test",le="0.05"} 1`);
    expect(text).toContain(`${METRIC.appliedPosition}{partition="2",app="ops_test"} 41`);
    expect(text).toContain(`${METRIC.slotRetainedWal}{app="ops_test"} 16777216`);
    expect(text).toMatch(/target_info\{service_name="ledgerflow-ops-test"/);
  });

  it('/metrics reports garbage-collection pauses by kind', async () => {
    let held: object[] = [];
    for (let i = 0; i < 2_000_000; i++) {
      held.push({ i });
      if (held.length === 1000) held = [];
    }
    await new Promise((resolve) => setTimeout(resolve, 50)); // gc entries arrive asynchronously
    const text = await (await get('/metrics')).text();
    const minor = new RegExp(`^${METRIC.gcPause}_count\\{kind="minor",app="ops_test"\\} (\\d+)$`, 'm').exec(text);
    expect(minor, text.split('\n').filter((l) => l.includes('gc_pause')).join('\n')).not.toBeNull();
    expect(Number(minor![1])).toBeGreaterThan(0);
    expect(text).toContain(`${METRIC.gcPause}_bucket{kind="minor",app="ops_test",le="0.0005"}`);
  });

  it('/metrics passes `promtool check metrics`', async () => {
    const lint = promtoolCheck(await (await get('/metrics')).text());
    if (lint.status === 'missing') {
      if (process.env['CI']) throw new Error('promtool is not on PATH: CI must install it (Debian package "prometheus", tools/prepare.sh)');
      return console.warn('promtool is not on PATH: /metrics not linted (install the Debian package "prometheus")');
    }
    expect(lint.status, lint.output).toBe('passed');
    // The linter is live: it rejects a gauge named like a histogram part.
    expect(promtoolCheck('# HELP x_count c\n# TYPE x_count gauge\nx_count 1\n').status).toBe('failed');
  });

  it('refuses other methods and paths, and makes no spans for probes and scrapes', async () => {
    expect((await get('/healthz', { method: 'POST' })).status).toBe(405);
    expect((await get('/nope')).status).toBe(404);
    await telemetry.forceFlush();
    // The http instrumentation is live (/nope made a server span), yet none of the many
    // /healthz, /readyz and /metrics requests of this file did.
    const servers = spans.getFinishedSpans().filter((s) => s.instrumentationScope.name === '@opentelemetry/instrumentation-http');
    expect(servers.map((s) => s.attributes['http.target'] ?? s.attributes['url.path'])).toEqual(['/nope']);
  });
});
