import type { ColumnType, Generated } from 'kysely';

/** bigint and numeric columns come back from node-postgres as strings; write them as strings too. */
type Int8 = ColumnType<string, string | bigint, string | bigint>;
type Numeric = ColumnType<string, string, string>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface EventsTable {
  global_position: ColumnType<string, never, never>;
  event_id: string;
  stream_id: string;
  version: number;
  type: string;
  data: ColumnType<unknown, string, string>;
  metadata: ColumnType<unknown, string | undefined, string>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface AccountProjectionsTable {
  account_id: string;
  owner_name: string;
  balance: Numeric;
  status: 'active' | 'closed';
  version: number;
  last_position: Int8;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TransactionProjectionsTable {
  transaction_id: string;
  account_id: string;
  type: 'DEPOSIT' | 'WITHDRAWAL';
  amount: Numeric;
  balance_after: Numeric;
  position: Int8;
  occurred_at: Timestamp;
}

export interface ProjectionCheckpointsTable {
  projection: string;
  partition: number;
  position: Int8;
  events_applied: Int8;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Write-side snapshot of each account, updated in the same transaction as its events. */
export interface AccountWriteStateTable {
  stream_id: string;
  version: number;
  balance: Numeric;
  status: 'active' | 'closed';
}

export interface IngestStateTable {
  slot_name: string;
  catchup_done: boolean;
  catchup_position: Int8;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Every table Ledgerflow owns, for Kysely. */
export interface LedgerDatabase {
  events: EventsTable;
  account_projections: AccountProjectionsTable;
  transaction_projections: TransactionProjectionsTable;
  projection_checkpoints: ProjectionCheckpointsTable;
  account_write_state: AccountWriteStateTable;
  ingest_state: IngestStateTable;
}

export type { Generated };
