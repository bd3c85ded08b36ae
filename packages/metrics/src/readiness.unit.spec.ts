import { describe, expect, it } from 'vitest';
import { checkReadiness, readinessResponse, reasonOf } from './readiness';

describe('readinessResponse', () => {
  it('answers 200 when ready and 503 with the reasons when not', () => {
    expect(readinessResponse({ ready: true, reasons: [] })).toEqual({ statusCode: 200, body: { status: 'ready', reasons: [] } });
    expect(readinessResponse({ ready: false, reasons: ['postgres: connect ECONNREFUSED'] })).toEqual({
      statusCode: 503,
      body: { status: 'not_ready', reasons: ['postgres: connect ECONNREFUSED'] },
    });
    expect(readinessResponse({ ready: false, reasons: [] }).body.reasons).toEqual(['not ready']);
  });
});

describe('reasonOf', () => {
  it('names the check, keeps one line and cuts long messages', () => {
    expect(reasonOf('postgres', new Error('connect ECONNREFUSED\n 127.0.0.1:1'))).toBe('postgres: connect ECONNREFUSED 127.0.0.1:1');
    expect(reasonOf('redis', 'down')).toBe('redis: down');
    expect(reasonOf('x', Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' }))).toBe('x: ECONNREFUSED');
    expect(reasonOf('x', new Error(''))).toBe('x: Error');
    const long = reasonOf('pg', new Error('y'.repeat(500)));
    expect(long).toHaveLength(200);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('checkReadiness', () => {
  it('runs checks in parallel, bounds each by the timeout and lists failures in order', async () => {
    const started = Date.now();
    const readiness = await checkReadiness(
      {
        postgres: async () => 'ok',
        redis: async () => {
          throw new Error('connection is closed');
        },
        slow: () => new Promise(() => {}),
        slower: () => new Promise(() => {}),
      },
      50,
    );
    expect(readiness).toEqual({ ready: false, reasons: ['redis: connection is closed', 'slow: no answer within 50 ms', 'slower: no answer within 50 ms'] });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await checkReadiness({ a: async () => undefined })).toEqual({ ready: true, reasons: [] });
    expect(await checkReadiness({})).toEqual({ ready: true, reasons: [] });
  });
});
