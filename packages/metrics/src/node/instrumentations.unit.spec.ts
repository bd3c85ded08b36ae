import { afterEach, describe, expect, it } from 'vitest';
import { createInstrumentations, type ManagedInstrumentation } from './instrumentations';

let created: ManagedInstrumentation[] = [];

afterEach(() => {
  for (const instrumentation of created) instrumentation.disable();
  created = [];
});

function names(...args: Parameters<typeof createInstrumentations>): string[] {
  created = createInstrumentations(...args);
  return created.map((i) => (i as unknown as { instrumentationName: string }).instrumentationName).sort();
}

describe('createInstrumentations', () => {
  it('leaves ioredis out when no span is recorded, keeps pg (its metrics) and http (incoming trace context)', () => {
    expect(names({}, false)).toEqual(['@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-pg']);
  });

  it('instruments ioredis too when spans are recorded', () => {
    expect(names({}, true)).toEqual(['@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-ioredis', '@opentelemetry/instrumentation-pg']);
  });

  it('follows an explicit choice either way', () => {
    expect(names({ ioredis: true, http: false }, false)).toEqual(['@opentelemetry/instrumentation-ioredis', '@opentelemetry/instrumentation-pg']);
    expect(names({ ioredis: false }, true)).toEqual(['@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-pg']);
  });
});
