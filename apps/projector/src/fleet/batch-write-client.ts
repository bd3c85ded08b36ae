import { KEY_LOOKUP_PLANS_OPTION } from '@ledgerflow/sinks';
import pg from 'pg';

/** Gives up opening a connection after this long (a server that accepts nothing). */
const CONNECT_TIMEOUT_MS = 5000;

/** How a connection that writes batches (a partition's lock connection, a process's writer) connects. */
export interface BatchWriteClientOptions {
  readonly databaseUrl: string;
  /** `lf-projector:<memberId>`: lets other members find and fence this connection. */
  readonly applicationName: string;
  /** The server's statement_timeout (the batch time limit); the server default without. */
  readonly statementTimeoutMs?: number;
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
    options: KEY_LOOKUP_PLANS_OPTION,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    ...(options.statementTimeoutMs === undefined ? {} : { statement_timeout: options.statementTimeoutMs }),
  });
}
