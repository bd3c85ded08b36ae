import { LedgerflowError } from '@ledgerflow/cdc-core';
import type { LedgerDatabase } from '@ledgerflow/sinks';
import { sql, type Kysely } from 'kysely';

/**
 * Runs `work` in one transaction on one connection, like Kysely's `transaction()`, but opens
 * it and sets its statement time limit in ONE round trip: BEGIN and `set_config(…, true)` (SET
 * LOCAL) go together as a simple-protocol query. At a few thousand small batches a second,
 * each round trip saved is a write and a read system call on both sides (see decision 009).
 *
 * `statementTimeoutMs` is a whole number from the validated config; it is checked again here
 * because it is written into the SQL text (the simple protocol takes no parameters).
 */
export async function inBatchTransaction<T>(db: Kysely<LedgerDatabase>, statementTimeoutMs: number | undefined, work: (trx: Kysely<LedgerDatabase>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql.raw(beginStatement(statementTimeoutMs)).execute(conn);
    let result: T;
    try {
      result = await work(conn);
    } catch (err) {
      // A broken connection cannot roll back; the server does it when the connection ends.
      await sql.raw('rollback').execute(conn).catch(() => undefined);
      throw err;
    }
    const { rows } = await sql.raw<{ command?: string }>('commit').execute(conn);
    // PostgreSQL answers COMMIT with ROLLBACK when an earlier statement left the transaction aborted.
    if (rows[0]?.command === 'ROLLBACK') throw new LedgerflowError('TRANSIENT_FAILURE', 'the batch transaction was aborted; COMMIT rolled it back', { retryable: true });
    return result;
  });
}

/** `begin`, with the statement limit of the transaction when one is given. */
export function beginStatement(statementTimeoutMs: number | undefined): string {
  if (statementTimeoutMs === undefined) return 'begin';
  if (!Number.isSafeInteger(statementTimeoutMs) || statementTimeoutMs < 0) throw new RangeError(`statement timeout must be a whole number of ms, got ${statementTimeoutMs}`);
  return `begin; select set_config('statement_timeout', '${statementTimeoutMs}', true)`;
}
