import { randomUUID } from 'node:crypto';
import { ledgerEventData, type EventType } from '@ledgerflow/cdc-core';
import type { StreamChange } from '../domain/decide';
import type { EventMetadata } from './metadata';

/** One row to insert into `events`. */
export interface EventRow {
  readonly eventId: string;
  readonly streamId: string;
  readonly version: number;
  readonly type: EventType;
  /** JSON text of `ledgerEventData(event)`. */
  readonly data: string;
  /** JSON text of the metadata. */
  readonly metadata: string;
}

/**
 * Numbers the decided events of each stream from its expected version on and orders the rows
 * by (stream id, version): every writer inserts, and so locks, in the same order, which keeps
 * two transfers over the same pair of accounts from deadlocking.
 */
export function planEventRows(changes: readonly StreamChange[], metadata: EventMetadata, newId: () => string = randomUUID): EventRow[] {
  const rows = changes.flatMap((change) =>
    change.events.map((event, index) => ({
      eventId: newId(),
      streamId: change.streamId,
      version: change.expectedVersion + index + 1,
      type: event.type,
      data: JSON.stringify(ledgerEventData(event)),
      metadata: JSON.stringify(metadata),
    })),
  );
  return rows.sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : a.version - b.version));
}
