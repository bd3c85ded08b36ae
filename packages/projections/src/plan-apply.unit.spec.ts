import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '@ledgerflow/cdc-core';
import { describe, expect, it } from 'vitest';
import { planApply } from './plan-apply';
import { closed, created, deposited } from './test-fixtures';

const A = randomUUID();
/** Versions 1…10 of one account. */
const history: StoredEvent[] = [created(A, '100.00'), ...Array.from({ length: 8 }, (_, i) => deposited(A, i + 2, '1.00')), closed(A, 10)];
const v = (...versions: number[]) => versions.map((n) => history[n - 1]!);
const versionsOf = (events: readonly StoredEvent[]) => events.map((e) => e.version);

describe('planApply', () => {
  it('plans nothing for an empty delivery', () => {
    expect(planApply(0, [])).toEqual({ apply: [], duplicates: 0 });
    expect(planApply(7, [])).toEqual({ apply: [], duplicates: 0 });
  });

  it('applies a contiguous delivery as is', () => {
    const plan = planApply(0, v(1, 2, 3));
    expect(versionsOf(plan.apply)).toEqual([1, 2, 3]);
    expect(plan.duplicates).toBe(0);
    expect(plan.missing).toBeUndefined();
  });

  it('sorts a shuffled delivery into version order', () => {
    expect(versionsOf(planApply(3, v(6, 4, 7, 5)).apply)).toEqual([4, 5, 6, 7]);
  });

  it('counts redeliveries at or below the current version and repeats inside the delivery', () => {
    const plan = planApply(3, v(2, 3, 4, 4, 5, 1, 5));
    expect(versionsOf(plan.apply)).toEqual([4, 5]);
    expect(plan.duplicates).toBe(5);
    expect(plan.missing).toBeUndefined();
  });

  it('treats a delivery that is entirely old as duplicates only', () => {
    expect(planApply(10, history)).toEqual({ apply: [], duplicates: 10 });
  });

  it('reports the missing range up to the newest delivered version and applies nothing past a hole', () => {
    const plan = planApply(0, v(1, 2, 4));
    expect(plan.apply).toEqual([]);
    expect(plan.missing).toEqual({ fromVersion: 3, toVersion: 4 });
  });

  it('reports a hole right after the row (a lost first delivery)', () => {
    expect(planApply(5, v(8, 7)).missing).toEqual({ fromVersion: 6, toVersion: 8 });
    expect(planApply(5, v(8, 7, 3)).duplicates).toBe(1);
  });

  it('covers several holes with one range, so one read repairs them all', () => {
    const plan = planApply(2, v(4, 7, 9));
    expect(plan.missing).toEqual({ fromVersion: 3, toVersion: 9 });
    // The repair reads exactly that range from the event store; then everything applies.
    const repaired = planApply(2, [...v(4, 7, 9), ...history.slice(2, 9)]);
    expect(versionsOf(repaired.apply)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(repaired.missing).toBeUndefined();
    expect(repaired.duplicates).toBe(3);
  });
});
