import { byVersion, poison, type StoredEvent } from '@ledgerflow/cdc-core';
import type { FoldFailure } from './fold-batch';

/** Distinct events with versions current+1 … hole-1, ascending (all present by definition of the hole). Pure. */
export function contiguousPrefix(currentVersion: number, events: readonly StoredEvent[], hole: number): StoredEvent[] {
  const byVersionMap = new Map<number, StoredEvent>();
  for (const e of events) if (e.version > currentVersion && e.version < hole) byVersionMap.set(e.version, e);
  return [...byVersionMap.values()].sort(byVersion);
}

/**
 * The failure of an account whose version `hole` the event store does not hold: the first
 * event after the hole fails with EVENT_VERSION_GAP (non-retryable: a stream's versions are
 * appended in order, so a committed later version means the hole is never filled by itself)
 * and the later ones are held behind it, distinct and ascending. `events` must hold at least
 * one event above the hole. Pure.
 */
export function versionGapFailure(accountId: string, events: readonly StoredEvent[], hole: number): FoldFailure {
  const after = [...new Map(events.filter((e) => e.version > hole).map((e) => [e.version, e])).values()].sort(byVersion);
  const event = after[0];
  if (!event) throw new RangeError(`account ${accountId}: no event above the hole at version ${hole}`);
  const error = poison('EVENT_VERSION_GAP', `account ${accountId}: version ${hole} is missing from the event store`, {
    streamId: accountId,
    missingVersion: hole,
    eventId: event.eventId,
  });
  return { accountId, event, error, held: after.slice(1) };
}
