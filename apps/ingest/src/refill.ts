import { readUnappliedEventsAfter, type LedgerDatabase } from '@ledgerflow/sinks';
import type { Kysely } from 'kysely';
import type { IngestCounters } from './counters';
import type { EventPublisher } from './publisher';

/** What a refill needs. */
export interface RefillDeps {
  readonly db: Kysely<LedgerDatabase>;
  readonly publisher: EventPublisher;
  readonly pageSize: number;
  readonly counters: IngestCounters;
  /** Awaited before each page: backpressure holds the refill while the queues are too deep. */
  readonly waitForRoom?: () => Promise<void>;
  /** Appended to the refill's job ids, so they cannot dedupe against jobs still kept (PublishOptions). */
  readonly jobIdSuffix?: string;
}

/** Where a refill is: it enqueues the unapplied events in (`after`, `upTo`]. */
export interface RefillProgress {
  after: bigint;
  readonly upTo: bigint;
}

/**
 * Enqueues, page by page in global-position order, every event in the progress window that
 * the read models have not applied, exactly as streamed events are (same partitioning, payload
 * and job ids — a job id still in Redis dedupes — unless `jobIdSuffix` makes them new).
 * `progress.after` moves forward after each page is in Redis, so a refill cut short resumes
 * where it stopped. `shouldContinue` runs before each page (the guard checks there that Redis
 * has not lost the pages enqueued so far).
 * Returns false when stopped before the end.
 */
export async function refillUnapplied(deps: RefillDeps, progress: RefillProgress, shouldContinue: () => Promise<boolean>): Promise<boolean> {
  const { db, publisher, pageSize, counters } = deps;
  while (progress.after < progress.upTo) {
    await deps.waitForRoom?.();
    if (!(await shouldContinue())) return false;
    const page = await readUnappliedEventsAfter(db, progress.after, progress.upTo, pageSize);
    const last = page[page.length - 1];
    if (!last) break;
    const result = await publisher.publish(page, deps.jobIdSuffix === undefined ? undefined : { jobIdSuffix: deps.jobIdSuffix });
    counters.jobsAdded += result.jobs;
    counters.eventsEnqueued += result.events;
    counters.refillEvents += result.events;
    progress.after = last.position;
    // A short page means nothing unapplied is left below upTo.
    if (page.length < pageSize) break;
  }
  progress.after = progress.upTo;
  return true;
}
