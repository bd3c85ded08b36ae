import { KEY_LOOKUP_PLANS_OPTION } from '@ledgerflow/sinks';
import pg from 'pg';

/** The startup option of a connection whose commits do not wait for the WAL flush. */
const ASYNC_COMMIT_OPTION = '-c synchronous_commit=off';

/** Gives up opening a connection after this long (a server that accepts nothing). */
const CONNECT_TIMEOUT_MS = 5000;

/** How a connection that writes batches (a partition's lock connection, a process's writer) connects. */
export interface BatchWriteClientOptions {
  readonly databaseUrl: string;
  /** `lf-projector:<memberId>`: lets other members find and fence this connection. */
  readonly applicationName: string;
  /** The server's statement_timeout (the batch time limit); the server default without. */
  readonly statementTimeoutMs?: number;
  /**
   * False: commits return before their WAL reaches the disk (`synchronous_commit = off`), so a
   * slow or stalled WAL flush no longer holds every batch up; a crash may lose the last ones,
   * which ingest's crash repair re-enqueues (decision 015). The server default without.
   */
  readonly synchronousCommit?: boolean;
}

/**
 * A (not yet connected) client for writing batches, with the settings every such connection
 * needs alike: its statements run prepared and their plans must stay key lookups
 * (KEY_LOOKUP_PLANS_OPTION), and keepalives notice a silently vanished server (no RST) instead
 * of waiting on the socket forever.
 */
export function batchWriteClient(options: BatchWriteClientOptions): pg.Client {
  return new pg.Client({
    connectionString: options.databaseUrl,
    application_name: options.applicationName,
    options: options.synchronousCommit === false ? `${KEY_LOOKUP_PLANS_OPTION} ${ASYNC_COMMIT_OPTION}` : KEY_LOOKUP_PLANS_OPTION,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    ...(options.statementTimeoutMs === undefined ? {} : { statement_timeout: options.statementTimeoutMs }),
  });
}
