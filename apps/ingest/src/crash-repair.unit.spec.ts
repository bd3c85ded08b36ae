import { waitFor } from '@ledgerflow/testkit';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { newCounters } from './counters';
import { CrashRepair } from './crash-repair';
import type { RefillProgress } from './refill';

/**
 * The repair's decisions against an in-memory marker and a refill that records its calls (the
 * real marker and refill run in crash-repair.int.spec.ts). `failures` refills throw first;
 * `gated` holds every refill until `open()` is called.
 */
function harness(options: { marker?: boolean; failures?: number; gated?: boolean } = {}) {
  let open: () => void = () => undefined;
  const gate = options.gated ? new Promise<void>((resolve) => (open = resolve)) : undefined;
  const marker = { value: options.marker ?? false, sets: 0 };
  const repaired: number[] = [];
  const counters = newCounters();
  const calls: { after: bigint; upTo: bigint; suffix: string; completed: boolean }[] = [];
  let failures = options.failures ?? 0;
  let suffixes = 0;
  const repair = new CrashRepair({
    marker: {
      present: async () => marker.value,
      async set() {
        marker.value = true;
        marker.sets++;
      },
    },
    async refill(progress: RefillProgress, shouldContinue, jobIdSuffix) {
      const call = { after: progress.after, upTo: progress.upTo, suffix: jobIdSuffix, completed: false };
      calls.push(call);
      await gate;
      if (failures > 0) {
        failures--;
        throw new Error('Redis went away');
      }
      if (!(await shouldContinue())) return false;
      progress.after = progress.upTo;
      call.completed = true;
      return true;
    },
    maxPosition: async () => 500n,
    counters,
    logger: pino({ level: 'silent' }),
    newSuffix: () => `c${++suffixes}`,
    onRepaired: () => repaired.push(calls.length),
    retryPauseMs: 5,
  });
  return { repair, marker, counters, calls, repaired, open: () => open() };
}

describe('CrashRepair', () => {
  it('does nothing while the marker is there', async () => {
    const h = harness({ marker: true });
    await h.repair.check();
    await h.repair.stop();
    expect(h.calls).toEqual([]);
    expect(h.counters.postgresCrashes).toBe(0);
  });

  it('repairs the whole store under a new suffix, then sets the marker', async () => {
    const h = harness();
    await h.repair.check();
    await waitFor('the repair', async () => h.counters.crashRepairs === 1, 2000, 5);
    expect(h.calls).toEqual([{ after: 0n, upTo: 500n, suffix: 'c1', completed: true }]);
    expect(h.marker).toEqual({ value: true, sets: 1 });
    expect(h.counters.postgresCrashes).toBe(1);
    expect(h.repaired).toEqual([1]);
    await h.repair.stop();
  });

  it('retries a failed refill from the start with a new suffix; the marker waits for one that completes', async () => {
    const h = harness({ failures: 2 });
    await h.repair.check();
    await waitFor('the repair', async () => h.counters.crashRepairs === 1, 2000, 5);
    expect(h.calls.map((c) => [c.after, c.suffix, c.completed])).toEqual([
      [0n, 'c1', false],
      [0n, 'c2', false],
      [0n, 'c3', true],
    ]);
    expect(h.marker.sets).toBe(1);
    await h.repair.stop();
  });

  it('runs one repair at a time: a session starting meanwhile does not start another', async () => {
    const h = harness({ gated: true });
    await h.repair.check();
    await h.repair.check();
    h.open();
    await waitFor('the repair', async () => h.counters.crashRepairs === 1, 2000, 5);
    expect(h.calls).toHaveLength(1);
    expect(h.counters.postgresCrashes).toBe(1);
    await h.repair.stop();
  });

  it('stopped halfway, it leaves the marker unset for the next ingest', async () => {
    const h = harness({ gated: true });
    await h.repair.check();
    const stopped = h.repair.stop();
    h.open();
    await stopped;
    expect(h.calls).toEqual([{ after: 0n, upTo: 500n, suffix: 'c1', completed: false }]);
    expect(h.marker).toEqual({ value: false, sets: 0 });
    expect(h.counters.crashRepairs).toBe(0);
    expect(h.repaired).toEqual([]);
  });
});
