import type { LedgerDatabase } from '@ledgerflow/sinks';
import type { Kysely } from 'kysely';
import type { AccountState } from '../domain/account-state';
import type { Decision, StreamChange } from '../domain/decide';
import { ApiError, isApiError } from '../errors';
import { planEventRows } from './event-rows';
import type { EventMetadata } from './metadata';
import { isTransactionConflict, isUniqueViolation } from './pg-errors';
import { appendEvents, readWriteStates, saveWriteState, type AppendedEvent } from './write-store';

/** What the caller needs to sequence one command. */
export interface CommandPlan {
  /** Every account the command reads or writes. */
  readonly streamIds: readonly string[];
  /** The pure decision, given the snapshots found (absent accounts are missing). */
  readonly decide: (states: ReadonlyMap<string, AccountState>) => Decision;
  readonly metadata: EventMetadata;
  /** Creating a stream: a duplicate (stream_id, version 1) means the account already exists. */
  readonly creates?: boolean;
  /** Whether losing a version race may be retried as is (true when no expectedVersion was sent). */
  readonly retryableConflict: boolean;
}

/** The result of an applied command. */
export interface CommandOutcome {
  readonly changes: readonly StreamChange[];
  readonly events: readonly AppendedEvent[];
  /** The global position of the last event appended. */
  readonly position: bigint;
}

/**
 * Runs one command in ONE transaction: read the snapshots, decide, append the events, save
 * the snapshots behind their version guards. Any error rolls everything back, so a refused
 * command writes nothing; database races come back as 409 CONCURRENCY_CONFLICT.
 */
export async function executeCommand(db: Kysely<LedgerDatabase>, plan: CommandPlan): Promise<CommandOutcome> {
  try {
    return await db.transaction().execute(async (trx) => {
      const decision = plan.decide(await readWriteStates(trx, plan.streamIds));
      if (!decision.ok) {
        const { code, message, field } = decision.error;
        throw new ApiError(code, message, field === undefined ? {} : { field });
      }
      const events = await appendEvents(trx, planEventRows(decision.changes, plan.metadata));
      // Same sorted order as the event rows, so snapshot locks are taken in one order too.
      for (const change of decision.changes) {
        if (!(await saveWriteState(trx, change))) throw conflict(plan, `account ${change.streamId} changed while the command ran`);
      }
      const position = events.reduce((max, e) => (e.position > max ? e.position : max), 0n);
      return { changes: decision.changes, events, position };
    });
  } catch (error) {
    throw translateWriteError(error, plan);
  }
}

function conflict(plan: CommandPlan, message: string, cause?: unknown): ApiError {
  return new ApiError('CONCURRENCY_CONFLICT', message, { retryable: plan.retryableConflict, cause });
}

function translateWriteError(error: unknown, plan: CommandPlan): unknown {
  if (isApiError(error)) return error;
  if (isUniqueViolation(error, 'events')) {
    return plan.creates
      ? new ApiError('ACCOUNT_EXISTS', `account ${plan.streamIds[0]} already exists`, { field: 'accountId', cause: error })
      : conflict(plan, 'another command appended to the account first; read it again and retry', error);
  }
  if (isTransactionConflict(error)) {
    return new ApiError('CONCURRENCY_CONFLICT', 'the transaction collided with another one; retry it', { retryable: true, cause: error });
  }
  return error;
}
