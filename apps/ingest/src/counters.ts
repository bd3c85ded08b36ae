/** Running totals of one ingest, for tests, the CLI and logs. */
export interface IngestCounters {
  /** Event rows decoded, from the slot and from catch-up pages. */
  eventsRead: number;
  /** Of `eventsRead`, the rows read from the table by catch-up. */
  catchupEvents: number;
  /** Events inside jobs that Redis accepted (a re-enqueued duplicate counts again; refills included). */
  eventsEnqueued: number;
  /** Jobs handed to `addBulk` that resolved. */
  jobsAdded: number;
  /** Transactions (commits) read from the slot. */
  transactions: number;
  /** Updates, deletes and truncates of `events` seen (never projected; the store is append-only). */
  nonInsertChanges: number;
  /** The slot position last confirmed to PostgreSQL (`confirmed_flush_lsn`), if any. */
  lastAckedLsn: string | null;
  /** Sessions (slot check, catch-up, stream) that failed and were retried by the supervisor. */
  sessionRestarts: number;
  /** Times the Redis sentinel was found missing or replaced: Redis lost keys. */
  redisLosses: number;
  /** Refills from PostgreSQL that ran to the end. */
  refills: number;
  /** Events enqueued by refills (also counted in `eventsEnqueued`). */
  refillEvents: number;
  /** Times a session found PostgreSQL's crash marker gone: the server crashed (crash-repair.ts). */
  postgresCrashes: number;
  /** Crash repairs that ran to the end (their events count in `refillEvents`). */
  crashRepairs: number;
}

/** A fresh set of counters. */
export function newCounters(): IngestCounters {
  return {
    eventsRead: 0,
    catchupEvents: 0,
    eventsEnqueued: 0,
    jobsAdded: 0,
    transactions: 0,
    nonInsertChanges: 0,
    lastAckedLsn: null,
    sessionRestarts: 0,
    redisLosses: 0,
    refills: 0,
    refillEvents: 0,
    postgresCrashes: 0,
    crashRepairs: 0,
  };
}
