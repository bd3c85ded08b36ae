import { Kysely, PostgresDialect } from 'kysely';
import type { Pool } from 'pg';
import type { LedgerDatabase } from './database';

/** Wraps a node-postgres pool (owned by the caller) in a typed Kysely instance. */
export function createDb(pool: Pool): Kysely<LedgerDatabase> {
  return new Kysely<LedgerDatabase>({ dialect: new PostgresDialect({ pool }) });
}
