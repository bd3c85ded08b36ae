import { constants } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { gcPauseAttributes, observeGcPauses } from './gc-pauses';

describe('gcPauseAttributes', () => {
  it('names each kind Node reports, and anything else other', () => {
    expect(gcPauseAttributes(constants.NODE_PERFORMANCE_GC_MINOR)).toEqual({ kind: 'minor' });
    expect(gcPauseAttributes(constants.NODE_PERFORMANCE_GC_MAJOR)).toEqual({ kind: 'major' });
    expect(gcPauseAttributes(constants.NODE_PERFORMANCE_GC_INCREMENTAL)).toEqual({ kind: 'incremental' });
    expect(gcPauseAttributes(constants.NODE_PERFORMANCE_GC_WEAKCB)).toEqual({ kind: 'weakcb' });
    expect(gcPauseAttributes(12345)).toEqual({ kind: 'other' });
    expect(gcPauseAttributes(undefined)).toEqual({ kind: 'other' });
  });
});

/** Short-lived objects far past the young generation's size: young collections must run. */
function makeGarbage(): void {
  let held: object[] = [];
  for (let i = 0; i < 2_000_000; i++) {
    held.push({ i });
    if (held.length === 1000) held = [];
  }
}

describe('observeGcPauses', () => {
  it('records the pauses of real collections until stopped', async () => {
    const recorded: Array<{ seconds: number; kind: unknown }> = [];
    const stop = observeGcPauses({ record: (seconds, attributes) => void recorded.push({ seconds, kind: attributes?.kind }) });
    makeGarbage();
    await new Promise((resolve) => setTimeout(resolve, 50)); // entries are delivered asynchronously
    expect(recorded.some((r) => r.kind === 'minor')).toBe(true);
    expect(recorded.every((r) => r.seconds > 0 && r.seconds < 5)).toBe(true);
    stop();
    const seen = recorded.length;
    makeGarbage();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(recorded.length).toBe(seen);
  });
});
