import { isLedgerflowError } from '@ledgerflow/cdc-core';

/**
 * SQLSTATEs after which the same batch can succeed: serialization failure, deadlock, lock not
 * available, too many connections, server shutting down or starting, and unique violation —
 * which a projector only meets when another writer inserted the same transaction rows
 * concurrently (a partition handover); reloading the rows on retry turns them into no-ops.
 */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01', '55P03', '53300', '57P01', '57P02', '57P03', '23505']);

/** Node socket errors: the database or Redis went away or is not there yet. */
const RETRYABLE_SYSCALL_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** node-postgres reports a dropped or unobtainable connection with these messages and no code. */
const RETRYABLE_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection (?:ended|closed)/i,
  /client has encountered a connection error/i,
  /client was closed and is not queryable/i,
];

/**
 * True when retrying the same batch later could succeed (the transaction was rolled back and
 * nothing is wrong with the events): a retryable LedgerflowError (STALE_WRITE, …), a
 * PostgreSQL class 08 (connection exception) or one of RETRYABLE_SQLSTATES, or a socket error.
 * Everything else is either poison (handled inside the batch) or a bug.
 */
export function isRetryableError(error: unknown): boolean {
  if (isLedgerflowError(error)) return error.retryable;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('08') && code.length === 5) return true;
    if (RETRYABLE_SQLSTATES.has(code) || RETRYABLE_SYSCALL_CODES.has(code)) return true;
  }
  if (RETRYABLE_MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  return error.cause !== undefined && error.cause !== error && isRetryableError(error.cause);
}
