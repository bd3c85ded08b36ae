import { isLedgerflowError } from '@ledgerflow/cdc-core';
import type { RedriveResult } from '@ledgerflow/sinks';
import { ApiError } from '../errors';

/** What the event store and the read model say about an event a skip was refused for. */
export interface SkippedEventFacts {
  readonly accountId: string;
  readonly version: number;
  /** The version the account's projection row stands at (0: no row yet). */
  readonly projectedVersion: number;
}

/** Why a skip was refused, as the `reason` of a 422 SKIP_REFUSED. */
export type SkipRefusalReason = 'ACCOUNT_NOT_PARKED' | 'ALREADY_APPLIED' | 'OPENS_ACCOUNT';

/** Body of a redrive that unparked the account (200). */
export interface RedriveUnparked {
  readonly unparked: true;
  readonly accountId: string;
  /** Events applied by this redrive, skipped ones included. */
  readonly applied: number;
  /** The version the account's row now stands at. */
  readonly version: number;
}

/** Body of a redrive that stopped again (409): a catalogue error plus what happened. */
export interface RedriveStillParked {
  readonly error: { readonly code: 'ACCOUNT_STILL_PARKED'; readonly message: string };
  readonly unparked: false;
  readonly accountId: string;
  readonly applied: number;
  readonly version: number;
  /** Redrives that failed since the account was parked, this one included. */
  readonly attempts: number;
  /** Events held behind the failed one. */
  readonly held: number;
  /** The event that cannot be applied, with the cdc-core code and message saying why. */
  readonly failure: { readonly eventId: string; readonly version: number; readonly code: string; readonly message: string };
}

/**
 * The HTTP answer to a redrive, as the CLI decides its exit code: unparked is a success (200);
 * still parked is a conflict with the event store's data (409), with the new error, so the
 * operator can fix that event (or skip it) and redrive again.
 */
export function redriveResponse(result: RedriveResult): { status: 200; body: RedriveUnparked } | { status: 409; body: RedriveStillParked } {
  const { accountId, applied, version } = result;
  if (result.outcome === 'unparked') return { status: 200, body: { unparked: true, accountId, applied, version } };
  const message = `account ${accountId} is still parked: event ${result.failedEventId} (version ${result.failedVersion}) cannot be applied (${result.code})`;
  return {
    status: 409,
    body: {
      error: { code: 'ACCOUNT_STILL_PARKED', message },
      unparked: false,
      accountId,
      applied,
      version,
      attempts: result.attempts,
      held: result.held,
      failure: { eventId: result.failedEventId, version: result.failedVersion, code: result.code, message: result.message },
    },
  };
}

/**
 * Turns a refusal of sinks' skipEvent into the API's answer. sinks says SKIP_REFUSED for
 * several causes (its message explains, its code does not), so the reason is told apart from
 * the facts read after the refusal: no such event (404 EVENT_NOT_FOUND), already applied, or
 * the account's opening event. ACCOUNT_NOT_PARKED is a skip refusal too here: the event exists,
 * its account just is not parked. Anything else is returned as it is (the error handler maps it).
 */
export function skipRefusal(error: unknown, facts: SkippedEventFacts | undefined): unknown {
  if (isLedgerflowError(error, 'ACCOUNT_NOT_PARKED')) return refused('ACCOUNT_NOT_PARKED', error.message, error);
  if (!isLedgerflowError(error, 'SKIP_REFUSED')) return error;
  if (facts === undefined) return new ApiError('EVENT_NOT_FOUND', error.message, { cause: error });
  if (facts.version <= facts.projectedVersion) return refused('ALREADY_APPLIED', error.message, error);
  if (facts.version === 1) return refused('OPENS_ACCOUNT', error.message, error);
  // The state moved between the refusal and the facts (a concurrent redrive): the message still says why.
  return new ApiError('SKIP_REFUSED', error.message, { cause: error });
}

function refused(reason: SkipRefusalReason, message: string, cause: unknown): ApiError {
  return new ApiError('SKIP_REFUSED', message, { reason, cause });
}
