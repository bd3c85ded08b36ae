import type pg from 'pg';
import { StatementNames, type StatementNamePolicy } from './statement-names';

/**
 * Startup option of a connection whose queries go through preparingQuery and only look rows up
 * by key (the projector's partition connections): no sequential scans. After five executions
 * PostgreSQL plans a prepared statement once, generically, from the table statistics of that
 * moment. Made while the read model was small, that plan seq-scanned account_projections on
 * every batch once it held 10,000 rows, until an ANALYZE re-planned it (late, or with autovacuum
 * off never). Without sequential scans the generic plan is an index lookup whatever the size;
 * forcing a fresh plan per execution instead cost a third of these backends' CPU (decision 010).
 * Statements on such a connection must not need joins whose method could go wrong the same way.
 */
export const KEY_LOOKUP_PLANS_OPTION = '-c enable_seqscan=off';

/** The query function Kysely's PostgresDialect calls on a borrowed connection. */
export type PoolClientQuery = pg.Client['query'];

/**
 * Wraps a connection's `query` so that the texts it runs again and again (with parameters)
 * run as named, server-side prepared statements (StatementNames decides which). Everything
 * else passes through untouched: parameterless text keeps the simple protocol (so
 * `begin; select …` stays one round trip), and config objects and cursors are the caller's.
 *
 * One wrapper per connection: prepared names live in a server session, which should be opened
 * with KEY_LOOKUP_PLANS_OPTION. Not for a
 * transaction-pooling proxy (PgBouncer in transaction mode) in front of the server, which
 * may run the next execution on a session that never saw the statement.
 */
export function preparingQuery(client: pg.Client, policy?: StatementNamePolicy): PoolClientQuery {
  const names = new StatementNames(policy);
  // Looked up at each call, not bound once: instrumentation may wrap the client's method later.
  const query = (...args: unknown[]): unknown => (client.query as (...a: unknown[]) => unknown).apply(client, args);
  return ((...args: unknown[]) => {
    const [text, values] = args;
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && args.length === 2) {
      const name = names.nameFor(text);
      if (name !== undefined) return query({ name, text, values });
    }
    return query(...args);
  }) as PoolClientQuery;
}
