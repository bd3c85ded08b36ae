import type { LedgerDatabase } from '@ledgerflow/sinks';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { batchWriteClient, type BatchWriteClientOptions } from './batch-write-client';
import { PROJECTOR_LOCK_NAMESPACE } from './fleet-rules';
import { SingleClientPool, singleClientDb } from './single-client-pool';
import { settleWithin } from './with-timeout';

/**
 * How a lease connects. Its statement_timeout limits every statement written through it, the
 * batch statements outside a transaction included.
 */
export interface LeaseConnectOptions extends BatchWriteClientOptions {
  /** Called once when the connection fails or ends while the lease is held (not after close). */
  readonly onLost: (lease: PartitionLease, err: unknown) => void;
}

/** Bounds how long releasing waits for the unlock (a half-dead connection may never answer). */
const UNLOCK_WAIT_MS = 5000;

/**
 * Ownership of one partition: a dedicated connection holding the session advisory lock
 * (PROJECTOR_LOCK_NAMESPACE, partition), and the Kysely instance that writes the partition
 * through that same connection. The lock lives exactly as long as the session: kill -9 of the
 * process, a terminated backend or a PostgreSQL restart free it, and whoever lost it can no
 * longer write (their connection is gone).
 */
export class PartitionLease {
  readonly partition: number;
  /** Backend pid of the lock connection, as pg_locks shows it. */
  readonly pid: number;
  /** Writes into this partition; only valid while the lease is held. */
  readonly db: Kysely<LedgerDatabase>;
  readonly #client: pg.Client;
  readonly #pool: SingleClientPool;
  #closed: Promise<void> | undefined;
  #lost = false;

  private constructor(partition: number, pid: number, client: pg.Client) {
    this.partition = partition;
    this.pid = pid;
    this.#client = client;
    this.#pool = new SingleClientPool(client);
    this.db = singleClientDb(this.#pool);
  }

  /** True once the connection failed or ended (the lock is gone, or going). */
  get lost(): boolean {
    return this.#lost;
  }

  /** Opens a connection and tries the lock once; undefined (connection closed) if it is taken. */
  static async tryAcquire(partition: number, options: LeaseConnectOptions): Promise<PartitionLease | undefined> {
    // Its batch statements run prepared (SingleClientPool).
    const client = batchWriteClient(options);
    let lease: PartitionLease | undefined;
    const onLost = (err: unknown) => {
      if (!lease || lease.#lost) return;
      lease.#lost = true;
      if (!lease.#closed) options.onLost(lease, err);
    };
    // Without an 'error' listener a dropped idle connection would crash the process.
    client.on('error', onLost);
    client.on('end', () => onLost(new Error('partition lock connection ended')));
    try {
      await client.connect();
      const r = await client.query<{ locked: boolean; pid: number }>('select pg_try_advisory_lock($1, $2) as locked, pg_backend_pid() as pid', [PROJECTOR_LOCK_NAMESPACE, partition]);
      const row = r.rows[0];
      if (!row?.locked) {
        await client.end().catch(() => undefined);
        return undefined;
      }
      lease = new PartitionLease(partition, row.pid, client);
      return lease;
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  /**
   * Gives the partition back: waits for the writer in hand (5 s at most), unlocks, closes the
   * connection. Call it after the partition's consumer stopped. Never throws; idempotent.
   */
  release(): Promise<void> {
    this.#closed ??= (async () => {
      // A dead session has released the lock already; ending the session releases it too.
      const unlock = this.#pool.exclusive((client) => client.query('select pg_advisory_unlock($1, $2)', [PROJECTOR_LOCK_NAMESPACE, this.partition]));
      await settleWithin(unlock, UNLOCK_WAIT_MS);
      await this.#shutdown();
    })();
    return this.#closed;
  }

  /** Closes the connection without unlocking (the session's end frees the lock). Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#shutdown();
    return this.#closed;
  }

  async #shutdown(): Promise<void> {
    await this.#pool.end();
    await this.#client.end().catch(() => undefined);
  }
}
