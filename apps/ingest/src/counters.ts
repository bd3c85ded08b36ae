/** Running totals of one ingest, for tests, the CLI and logs. */
export interface IngestCounters {
  /** Event rows decoded, from the slot and from catch-up pages. */
  eventsRead: number;
  /** Of `eventsRead`, the rows read from the table by catch-up. */
  catchupEvents: number;
  /** Events inside jobs that Redis accepted (a re-enqueued duplicate job counts again). */
  eventsEnqueued: number;
  /** Jobs handed to `addBulk` that resolved. */
  jobsAdded: number;
  /** Transactions (commits) read from the slot. */
  transactions: number;
  /** Updates, deletes and truncates of `events` seen (never projected; the store is append-only). */
  nonInsertChanges: number;
  /** The slot position last confirmed to PostgreSQL (`confirmed_flush_lsn`), if any. */
  lastAckedLsn: string | null;
}

/** A fresh set of counters. */
export function newCounters(): IngestCounters {
  return { eventsRead: 0, catchupEvents: 0, eventsEnqueued: 0, jobsAdded: 0, transactions: 0, nonInsertChanges: 0, lastAckedLsn: null };
}
