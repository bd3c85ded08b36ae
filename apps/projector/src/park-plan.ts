import { byVersion, type AccountRow, type StoredEvent } from '@ledgerflow/cdc-core';
import type { FoldFailure } from '@ledgerflow/projections';
import { causeFromError, type HoldRequest, type ParkRequest, type ParkedAccountState } from '@ledgerflow/sinks';

/** A batch's delivered events split by whether their account is parked (G5). */
export interface ParkedSplit {
  /** Events of accounts that are not parked: these flow into planBatch as usual. */
  readonly flowing: Map<string, readonly StoredEvent[]>;
  /** Events of parked accounts that the row does not reflect: appended as held, never applied. */
  readonly holds: HoldRequest[];
  /** Events of parked accounts the row already reflects, or delivered twice (no-ops, G1). */
  readonly duplicates: number;
  /** How many events `holds` carries. */
  readonly held: number;
}

/**
 * Takes the parked accounts out of a batch before it is planned: their events are held (in
 * version order, once each) rather than applied or gap-repaired, so a parked account costs a
 * batch one insert, whatever arrives for it. Pure.
 */
export function splitParked(
  current: ReadonlyMap<string, AccountRow>,
  delivered: ReadonlyMap<string, readonly StoredEvent[]>,
  parked: ReadonlyMap<string, ParkedAccountState>,
): ParkedSplit {
  const flowing = new Map<string, readonly StoredEvent[]>();
  const holds: HoldRequest[] = [];
  let duplicates = 0;
  let held = 0;
  for (const [accountId, events] of delivered) {
    const state = parked.get(accountId);
    if (!state) {
      flowing.set(accountId, events);
      continue;
    }
    const version = current.get(accountId)?.version ?? 0;
    const fresh = distinctByVersion(events.filter((e) => e.version > version));
    duplicates += events.length - fresh.length;
    if (fresh.length > 0) {
      holds.push({ parked: state, events: fresh });
      held += fresh.length;
    }
  }
  return { flowing, holds, duplicates, held };
}

/**
 * Turns a batch's failures into one park request per account. An account can fail twice in
 * one batch (a poison event before a hole the store could not fill): the earliest failure
 * parks it and everything after it is held, once each, in version order. Pure.
 */
export function parkRequests(partition: number, failures: readonly FoldFailure[]): ParkRequest[] {
  const byAccount = new Map<string, FoldFailure[]>();
  for (const f of failures) byAccount.set(f.accountId, [...(byAccount.get(f.accountId) ?? []), f]);
  return [...byAccount].map(([accountId, list]) => {
    const first = list.reduce((a, b) => (b.event.version < a.event.version ? b : a));
    const later = list.flatMap((f) => [f.event, ...f.held]).filter((e) => e.version > first.event.version);
    return { accountId, partition, failed: first.event, cause: causeFromError(first.error), held: distinctByVersion(later) };
  });
}

/** One event per version (the first seen), ascending. */
function distinctByVersion(events: readonly StoredEvent[]): StoredEvent[] {
  const byVersionMap = new Map<number, StoredEvent>();
  for (const e of events) if (!byVersionMap.has(e.version)) byVersionMap.set(e.version, e);
  return [...byVersionMap.values()].sort(byVersion);
}
