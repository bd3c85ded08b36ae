import type { LedgerDatabase } from '@ledgerflow/sinks';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Logger } from 'pino';
import { batchWriteClient } from './fleet/batch-write-client';
import { SingleClientPool, singleClientDb } from './fleet/single-client-pool';

/** How the writer connects. */
export interface WriterConnectionOptions {
  readonly databaseUrl: string;
  /** The member's application name, so that fencing a stalled member terminates this connection too. */
  readonly applicationName: string;
  /** The batch time limit, as the server's statement_timeout (as on the partition connections). */
  readonly statementTimeoutMs: number;
  /** See BatchWriteClientOptions.synchronousCommit. */
  readonly synchronousCommit: boolean;
  readonly logger: Logger;
}

interface Session {
  readonly client: pg.Client;
  readonly db: Kysely<LedgerDatabase>;
  broken: boolean;
}

/**
 * A connection of this projector process that writes rounds of several partitions' batches
 * (WriteRounds). It holds no lock: each write checks the partitions' locks itself. Opened on
 * first use and again after it broke or was given up; statements run prepared, as key lookups.
 */
export class WriterConnection {
  readonly #options: WriterConnectionOptions;
  #session: Session | undefined;
  #opening: Promise<Session> | undefined;
  #closed = false;

  constructor(options: WriterConnectionOptions) {
    this.#options = options;
  }

  /** The Kysely instance of the live session, opening one if there is none. */
  async db(): Promise<Kysely<LedgerDatabase>> {
    if (this.#closed) throw new Error('the writer connection is closed');
    if (this.#session && !this.#session.broken) return this.#session.db;
    this.#opening ??= this.#open().finally(() => (this.#opening = undefined));
    return (await this.#opening).db;
  }

  /** Gives the session up (a round got no answer in time): a statement in flight fails. */
  abandon(): void {
    const session = this.#session;
    if (!session) return;
    session.broken = true;
    void session.client.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#opening?.catch(() => undefined);
    await this.#session?.client.end().catch(() => undefined);
  }

  async #open(): Promise<Session> {
    void this.#session?.client.end().catch(() => undefined);
    const { databaseUrl, applicationName, statementTimeoutMs, synchronousCommit, logger } = this.#options;
    const client = batchWriteClient({ databaseUrl, applicationName, statementTimeoutMs, synchronousCommit });
    const session: Session = { client, db: singleClientDb(new SingleClientPool(client)), broken: false };
    // Without an 'error' listener a dropped connection would crash the process.
    client.on('error', (err) => {
      session.broken = true;
      logger.warn({ err }, 'writer connection failed; the next round opens a new one');
    });
    client.on('end', () => (session.broken = true));
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    this.#session = session;
    return session;
  }
}
