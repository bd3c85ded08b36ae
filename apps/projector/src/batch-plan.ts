import type { AccountRow, StoredEvent } from '@ledgerflow/cdc-core';
import { contiguousPrefix, planApply, versionGapFailure, type FoldFailure } from '@ledgerflow/projections';
import type { VersionRange } from '@ledgerflow/sinks';

/** What one batch will apply, account by account, before folding. */
export interface BatchPlan {
  /** Per account, the contiguous versions current+1 … n to fold, ascending. */
  readonly apply: ReadonlyMap<string, readonly StoredEvent[]>;
  /** Versions to read from the event store before the accounts concerned can move (G2). */
  readonly gaps: readonly VersionRange[];
  /** Delivered events already reflected in the row, or delivered twice (G1 no-ops). */
  readonly duplicates: number;
  /** Events applied that were read from the event store rather than delivered. */
  readonly repaired: number;
  /** Accounts whose hole the event store itself could not fill. */
  readonly failures: readonly FoldFailure[];
}

/** Groups a batch's events by account (lower-cased stream id), keeping delivery order. */
export function groupByAccount(events: readonly StoredEvent[]): Map<string, StoredEvent[]> {
  const byAccount = new Map<string, StoredEvent[]>();
  for (const event of events) {
    const id = event.streamId.toLowerCase();
    let list = byAccount.get(id);
    if (!list) byAccount.set(id, (list = []));
    list.push(event);
  }
  return byAccount;
}

/**
 * First pass: decides per account what applies now, what is a redelivery, and which versions
 * must be read from the store. Pure.
 */
export function planBatch(current: ReadonlyMap<string, AccountRow>, delivered: ReadonlyMap<string, readonly StoredEvent[]>): BatchPlan {
  const apply = new Map<string, readonly StoredEvent[]>();
  const gaps: VersionRange[] = [];
  let duplicates = 0;
  for (const [accountId, events] of delivered) {
    const plan = planApply(current.get(accountId)?.version ?? 0, events);
    duplicates += plan.duplicates;
    if (plan.missing) gaps.push({ streamId: accountId, ...plan.missing });
    else if (plan.apply.length > 0) apply.set(accountId, plan.apply);
  }
  return { apply, gaps, duplicates, repaired: 0, failures: [] };
}

/**
 * Second pass (gap repair): merges what the store returned for the gaps with what was delivered
 * and plans the gapped accounts again. Their duplicates were counted by the first pass; an
 * account the store still cannot make contiguous applies the versions before its hole and fails
 * with EVENT_VERSION_GAP from there on, like a poison event. Pure.
 */
export function repairPlan(
  first: BatchPlan,
  current: ReadonlyMap<string, AccountRow>,
  delivered: ReadonlyMap<string, readonly StoredEvent[]>,
  fromStore: readonly StoredEvent[],
): BatchPlan {
  const apply = new Map(first.apply);
  const failures = [...first.failures];
  const stored = groupByAccount(fromStore);
  let repaired = first.repaired;
  for (const gap of first.gaps) {
    const sent = delivered.get(gap.streamId) ?? [];
    const currentVersion = current.get(gap.streamId)?.version ?? 0;
    const merged = [...(stored.get(gap.streamId) ?? []), ...sent];
    const plan = planApply(currentVersion, merged);
    const usable = plan.missing ? contiguousPrefix(currentVersion, merged, plan.missing.fromVersion) : plan.apply;
    if (usable.length > 0) apply.set(gap.streamId, usable);
    const sentVersions = new Set(sent.map((e) => e.version));
    repaired += usable.filter((e) => !sentVersions.has(e.version)).length;
    if (plan.missing) failures.push(versionGapFailure(gap.streamId, merged, plan.missing.fromVersion));
  }
  return { apply, gaps: [], duplicates: first.duplicates, repaired, failures };
}

/**
 * The events the fold actually applied: every planned event except, for a failed account, the
 * failed event and those held behind it. Pure.
 */
export function appliedEvents(apply: ReadonlyMap<string, readonly StoredEvent[]>, failures: readonly FoldFailure[]): StoredEvent[] {
  const failedAt = new Map<string, number>();
  for (const f of failures) failedAt.set(f.accountId, Math.min(f.event.version, failedAt.get(f.accountId) ?? Number.POSITIVE_INFINITY));
  const applied: StoredEvent[] = [];
  for (const [accountId, events] of apply) {
    const stop = failedAt.get(accountId) ?? Number.POSITIVE_INFINITY;
    for (const e of events) if (e.version < stop) applied.push(e);
  }
  return applied;
}

/** The highest global position among `events`; 0n when there are none. */
export function highestPosition(events: readonly StoredEvent[]): bigint {
  let highest = 0n;
  for (const e of events) if (e.position > highest) highest = e.position;
  return highest;
}

/** The highest global position among the events the fold actually applied (see appliedEvents); 0n when none. */
export function highestAppliedPosition(apply: ReadonlyMap<string, readonly StoredEvent[]>, failures: readonly FoldFailure[]): bigint {
  return highestPosition(appliedEvents(apply, failures));
}
