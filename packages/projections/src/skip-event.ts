import { poison, type AccountRow, type StoredEvent } from '@ledgerflow/cdc-core';
import type { Evolved } from './evolve-account';

/**
 * Applies an event an operator chose to skip (G5): it has no effect on the balance, the status
 * or the transactions, but the row's version, last position and update time advance, so the
 * row still reflects exactly `version` events (G2) and the next version applies after it. Pure.
 * A skipped event cannot open an account (there would be no owner or balance to start from):
 * that throws a non-retryable EVENT_RULE_VIOLATION. The caller guarantees version contiguity,
 * as for evolveAccount (a RangeError if not).
 */
export function skipAccountEvent(row: AccountRow | undefined, event: StoredEvent): Evolved {
  const expected = (row?.version ?? 0) + 1;
  if (event.version !== expected) throw new RangeError(`event ${event.eventId}: version ${event.version} skipped on a row at version ${expected - 1}`);
  if (row === undefined) {
    throw poison('EVENT_RULE_VIOLATION', `event ${event.eventId}: a skipped event cannot open an account; correct the event instead`, {
      eventId: event.eventId,
      streamId: event.streamId,
      version: event.version,
      type: event.type,
    });
  }
  if (row.accountId.toLowerCase() !== event.streamId.toLowerCase()) throw new RangeError(`event ${event.eventId}: stream ${event.streamId} skipped on account ${row.accountId}`);
  return { row: { ...row, version: event.version, lastPosition: event.position, updatedAt: event.createdAt } };
}
