import { LedgerflowError } from '@ledgerflow/cdc-core';
import { preparingQuery, type LedgerDatabase } from '@ledgerflow/sinks';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/**
 * A Kysely "pool" that only ever hands out one given connection, one borrower at a time
 * (a second `connect()` waits for the first `release()`). The projector writes a partition
 * through the very connection that holds the partition's advisory lock: if that connection is
 * terminated (we were fenced off) or dies, the write fails with it instead of committing
 * without the lock. The pool never reconnects and never closes the client; its owner does.
 * Statements it runs again and again go as prepared statements (preparingQuery).
 */
export class SingleClientPool implements PostgresPool {
  readonly #client: pg.Client;
  /** The client's query, preparing the partition's hot statements (they repeat every batch). */
  readonly #query: PostgresPoolClient['query'];
  #tail: Promise<void> = Promise.resolve();
  #ended = false;

  constructor(client: pg.Client) {
    this.#client = client;
    this.#query = preparingQuery(client) as PostgresPoolClient['query'];
  }

  async connect(): Promise<PostgresPoolClient> {
    let release!: () => void;
    const previous = this.#tail;
    this.#tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    if (this.#ended) {
      release();
      // Retryable: the partition moved on; whoever owns it now will project the batch.
      throw new LedgerflowError('TRANSIENT_FAILURE', 'the partition lock connection is closed (partition dropped or released)', { retryable: true });
    }
    let released = false;
    return {
      query: this.#query,
      release: () => {
        if (released) return;
        released = true;
        release();
      },
    };
  }

  /**
   * Refuses further borrowers; the client stays open (its owner closes it, which fails a
   * query in flight rather than waiting for it: the connection may be half-dead).
   */
  async end(): Promise<void> {
    this.#ended = true;
  }

  /** Runs `fn` on the raw client once no Kysely borrower holds it (for lock statements). */
  async exclusive<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const borrowed = await this.connect();
    try {
      return await fn(this.#client);
    } finally {
      borrowed.release();
    }
  }
}

/** A typed Kysely instance writing through one connection only (see SingleClientPool). */
export function singleClientDb(pool: SingleClientPool): Kysely<LedgerDatabase> {
  return new Kysely<LedgerDatabase>({ dialect: new PostgresDialect({ pool }) });
}
