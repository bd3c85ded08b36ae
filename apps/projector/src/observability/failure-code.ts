import { isLedgerflowError } from '@ledgerflow/cdc-core';
import { isRetryableError } from '../classify-error';

/**
 * The stable code a failure is counted under (the `code` label). Ours carry one; a failure
 * worth retrying (a dropped connection, a serialization failure …) is a TRANSIENT_FAILURE, as
 * in ingest; anything else is `otherwise` (UNCLASSIFIED: a bug to look into, unless the caller
 * knows better). Labels stay bounded whatever the drivers throw.
 */
export function failureCode(error: unknown, otherwise = 'UNCLASSIFIED'): string {
  if (isLedgerflowError(error)) return error.code;
  return isRetryableError(error) ? 'TRANSIENT_FAILURE' : otherwise;
}
