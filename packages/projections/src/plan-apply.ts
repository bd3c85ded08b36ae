import { byVersion, type StoredEvent } from '@ledgerflow/cdc-core';

/** What to do with the events delivered for one account. */
export interface ApplyPlan {
  /** Events to apply now: versions currentVersion+1, +2, … without holes, ascending. */
  readonly apply: StoredEvent[];
  /** Events already reflected (version ≤ current) or delivered twice in this batch. */
  readonly duplicates: number;
  /**
   * Versions that must be read from the event store before anything newer can be applied,
   * or undefined when the delivered events are contiguous with the row.
   */
  readonly missing?: { readonly fromVersion: number; readonly toVersion: number };
}

/**
 * Decides, for one account, which delivered events apply, which are redeliveries and which
 * versions are missing. Pure. Redeliveries (G1) and reordering (G2) both reduce to this:
 * apply exactly versions current+1 … n in order; anything at or below current is a no-op.
 */
export function planApply(currentVersion: number, delivered: readonly StoredEvent[]): ApplyPlan {
  const fresh = new Map<number, StoredEvent>();
  let duplicates = 0;
  for (const event of delivered) {
    if (event.version <= currentVersion || fresh.has(event.version)) duplicates++;
    else fresh.set(event.version, event);
  }
  const sorted = [...fresh.values()].sort(byVersion);
  const apply: StoredEvent[] = [];
  let expected = currentVersion + 1;
  for (const event of sorted) {
    if (event.version !== expected) {
      const last = sorted[sorted.length - 1]!;
      return { apply: [], duplicates, missing: { fromVersion: expected, toVersion: last.version } };
    }
    apply.push(event);
    expected++;
  }
  return { apply, duplicates };
}
