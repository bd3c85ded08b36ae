import type { LedgerDatabase } from '@ledgerflow/sinks';
import type { FoldFailure } from '@ledgerflow/projections';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';

/** Where a batch's failures are handed over. */
export interface FailureContext {
  /** The batch's open transaction: whatever the handler writes commits or rolls back with the batch. */
  readonly db: Kysely<LedgerDatabase>;
  readonly partition: number;
}

/**
 * Receives the events a batch could not apply (poison: rule violation, bad data, a hole in the
 * event store), inside the batch's transaction, after the write and after their accounts were
 * parked in the dead-letter store. The failed accounts' rows stay at the last good event.
 * Throwing rolls the whole batch back and lets the queue retry it.
 */
export type FailureHandler = (failures: readonly FoldFailure[], context: FailureContext) => Promise<void>;

/** The failure handler of the projector today: one error log line per failed account, with its code. */
export function logFoldFailures(logger: Logger): FailureHandler {
  return async (failures, { partition }) => {
    for (const f of failures) {
      logger.error(
        {
          code: f.error.code,
          partition,
          accountId: f.accountId,
          eventId: f.event.eventId,
          version: f.event.version,
          type: f.event.type,
          position: f.event.position.toString(),
          held: f.held.length,
          err: f.error,
        },
        'event cannot be applied; account parked at its last good version, later events held',
      );
    }
  };
}
