import { LedgerflowError } from '@ledgerflow/cdc-core';
import type { LedgerDatabase } from '@ledgerflow/sinks';
import { sql, type Kysely } from 'kysely';

/** Time limits of one batch transaction (LEDGERFLOW_PROJECTOR_BATCH_TIMEOUT_MS / _COMMIT_TIMEOUT_MS). */
export interface BatchTimeouts {
  /** The statements before COMMIT: each one, and all of them together. */
  readonly batchMs: number;
  /** The COMMIT. */
  readonly commitMs: number;
}

/**
 * Slack of the client-side guard over the server-side limits: the server cancels first (and
 * the batch rolls back cleanly); the guard only catches a server or network that no longer
 * answers at all.
 */
export const GUARD_GRACE_MS = 2000;

/** How long the client waits for a whole batch transaction before giving its connection up. */
export function guardMs(timeouts: BatchTimeouts): number {
  return timeouts.batchMs + timeouts.commitMs + GUARD_GRACE_MS;
}

/**
 * Enforced by the server, so a stuck statement really stops (PG15 has no transaction_timeout):
 * `SET LOCAL statement_timeout` for the transaction. It ends with the transaction, so the
 * connection (the partition's lock connection) keeps no setting of ours. A statement over it
 * fails with 57014, the transaction rolls back, and the batch is retried (isRetryableError).
 */
export async function limitStatements(trx: Kysely<LedgerDatabase>, ms: number): Promise<void> {
  await sql`select set_config('statement_timeout', ${String(ms)}, true)`.execute(trx);
}

/**
 * Right before COMMIT: refuses to commit a batch whose statements took longer than the batch
 * limit all together (each was under it), then gives the COMMIT its own limit.
 *
 * A COMMIT that times out on the client's side may still have committed on the server (say,
 * the answer was lost). That is safe here: the batch is retried, and the version guard of
 * writeProjection (with planApply dropping versions already reflected) turns the retry into a
 * no-op for whatever did commit. Exactly-once effect (G1) never depended on knowing.
 */
export async function limitCommit(trx: Kysely<LedgerDatabase>, timeouts: BatchTimeouts, elapsedMs: number): Promise<void> {
  await limitStatements(trx, commitLimitAfter(timeouts, elapsedMs));
}

/**
 * The COMMIT's statement limit, once the batch's statements took `elapsedMs` all together;
 * throws the retryable time-limit error when they took longer than the batch limit.
 */
export function commitLimitAfter(timeouts: BatchTimeouts, elapsedMs: number): number {
  if (elapsedMs > timeouts.batchMs) throw batchTimeLimitError(elapsedMs, timeouts.batchMs);
  return timeouts.commitMs;
}

/** The retryable error of a batch over its time limit. */
export function batchTimeLimitError(elapsedMs: number, limitMs: number): LedgerflowError {
  return new LedgerflowError('TRANSIENT_FAILURE', `batch took ${Math.round(elapsedMs)} ms, over its ${limitMs} ms limit; rolled back to be retried`, {
    retryable: true,
    details: { elapsedMs: Math.round(elapsedMs), limitMs },
  });
}

/**
 * Settles like `transaction`, or rejects with a retryable time-limit error after `limitMs`,
 * calling `onExpired` with it first (the caller gives the connection up; the transaction's
 * own late outcome is then ignored).
 */
export async function guardTransaction<T>(transaction: Promise<T>, limitMs: number, onExpired: (error: Error) => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = batchTimeLimitError(limitMs, limitMs);
      transaction.catch(() => undefined);
      onExpired(error);
      reject(error);
    }, limitMs);
  });
  try {
    return await Promise.race([transaction, expired]);
  } finally {
    clearTimeout(timer);
  }
}
