import { isLedgerflowError } from '@ledgerflow/cdc-core';

/**
 * SQLSTATEs after which the same batch can succeed: serialization failure, deadlock, lock not
 * available, query canceled (57014: the batch or commit time limit, see batch-timeouts), and
 * unique violation — which a projector only meets when another writer inserted the same
 * transaction rows concurrently (a partition handover); reloading the rows on retry turns
 * them into no-ops. Plus the connection-class ones below.
 */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01', '55P03', '57014', '23505']);

/**
 * SQLSTATEs that say the server cannot be used right now (not that a statement failed): too
 * many connections, admin shutdown, crash shutdown, cannot connect now. With class 08 they
 * feed the circuit breaker.
 */
const CONNECTION_SQLSTATES = new Set(['53300', '57P01', '57P02', '57P03']);

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
 * nothing is wrong with the events): a retryable LedgerflowError (STALE_WRITE, …), one of
 * RETRYABLE_SQLSTATES, or a connection failure (isConnectionError).
 * Everything else is either poison (handled inside the batch) or a bug.
 */
export function isRetryableError(error: unknown): boolean {
  if (isLedgerflowError(error)) return error.retryable;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && RETRYABLE_SQLSTATES.has(code)) return true;
  if (isConnectionFailure(error)) return true;
  return error.cause !== undefined && error.cause !== error && isRetryableError(error.cause);
}

function isConnectionFailure(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('08') && code.length === 5) return true;
    if (CONNECTION_SQLSTATES.has(code) || RETRYABLE_SYSCALL_CODES.has(code)) return true;
  }
  return RETRYABLE_MESSAGES.some((pattern) => pattern.test(error.message));
}

/**
 * True when the error says PostgreSQL itself is unreachable or refusing work (connection
 * refused or lost, server shutting down or starting, too many connections), as opposed to one
 * statement failing on a working server: what the circuit breaker counts. Looks through
 * `cause` chains, LedgerflowError wrappers included.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (!isLedgerflowError(error) && isConnectionFailure(error)) return true;
  return error.cause !== undefined && error.cause !== error && isConnectionError(error.cause);
}
