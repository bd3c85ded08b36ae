import { isLedgerflowError, type ErrorCode } from '@ledgerflow/cdc-core';

/**
 * The stable code a failure is counted under (the `code` label). Ours carry one; anything else
 * (a dropped connection, a server error, a Redis timeout) is what the supervisor retries, so it
 * is a TRANSIENT_FAILURE: labels stay bounded whatever drivers throw.
 */
export function failureCode(error: unknown): ErrorCode {
  return isLedgerflowError(error) ? error.code : 'TRANSIENT_FAILURE';
}
