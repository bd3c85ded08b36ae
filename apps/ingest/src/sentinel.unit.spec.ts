import { describe, expect, it } from 'vitest';
import { decideAtStart, decideOnCheck, epochOfMarker, isRefillMarker, refillMarker, sentinelKey } from './sentinel';

describe('sentinel values', () => {
  it('names the key after the prefix, outside the queue keys', () => {
    expect(sentinelKey('ledgerflow-bank')).toBe('ledgerflow-bank:ingest-epoch');
  });

  it('turns a refill marker into its epoch', () => {
    const marker = refillMarker('abc');
    expect(isRefillMarker(marker)).toBe(true);
    expect(isRefillMarker('abc')).toBe(false);
    expect(epochOfMarker(marker)).toBe('abc');
  });
});

describe('decideAtStart', () => {
  it('takes over an intact sentinel left by a previous ingest', () => {
    expect(decideAtStart('epoch-1', false)).toBe('adopt');
    expect(decideAtStart('epoch-1', true)).toBe('adopt');
  });

  it('refills when Redis lost its keys while no ingest watched, or a refill was cut short', () => {
    expect(decideAtStart(null, false)).toBe('begin-refill');
    expect(decideAtStart(refillMarker('epoch-1'), false)).toBe('begin-refill');
  });

  it('skips the refill when catch-up from position 0 enqueues every event anyway', () => {
    expect(decideAtStart(null, true)).toBe('mark-intact');
    expect(decideAtStart(refillMarker('epoch-1'), true)).toBe('mark-intact');
  });
});

describe('decideOnCheck', () => {
  it('is quiet while the sentinel holds what we wrote', () => {
    expect(decideOnCheck('e1', 'e1', false)).toBe('ok');
  });

  it('detects a missing or foreign sentinel, also in the middle of a refill', () => {
    expect(decideOnCheck(null, 'e1', false)).toBe('begin-refill');
    expect(decideOnCheck('someone-else', 'e1', false)).toBe('begin-refill');
    expect(decideOnCheck(null, refillMarker('e2'), true)).toBe('begin-refill');
  });

  it('resumes a refill whose marker is still there', () => {
    expect(decideOnCheck(refillMarker('e2'), refillMarker('e2'), true)).toBe('continue-refill');
  });
});
