import pg from 'pg';

/** What the API's PostgreSQL pool needs. */
export interface PoolOptions {
  readonly connectionString: string;
  readonly max: number;
  /** Told about connections that failed; the pool replaces them. */
  readonly onConnectionError: (error: Error) => void;
}

/**
 * The API's pool, hardened against PostgreSQL going away (a restart must not kill the API;
 * `/readyz` reports it instead). Every client gets its own error listener when created: pg
 * emits 'error' on a client whose connection drops, and the pool listens only while the
 * client is idle, so a drop while a query runs would otherwise be an uncaught exception.
 * The failed query has already been rejected; only the report is left to do.
 */
export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.max });
  pool.on('connect', (client) => client.on('error', options.onConnectionError));
  // The pool re-emits idle clients' errors; the client listener above already reported them.
  pool.on('error', () => undefined);
  return pool;
}
