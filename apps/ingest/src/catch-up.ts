import { readEventsAfter, type LedgerDatabase } from '@ledgerflow/sinks';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { IngestCounters } from './counters';
import type { IngestMetrics } from './ingest-metrics';
import { loadCatchUpState, saveCatchUpState } from './ingest-state';
import type { EventPublisher } from './publisher';

/** What catch-up needs. */
export interface CatchUpDeps {
  readonly db: Kysely<LedgerDatabase>;
  readonly slotName: string;
  readonly pageSize: number;
  readonly publisher: EventPublisher;
  readonly counters: IngestCounters;
  readonly metrics: IngestMetrics;
  readonly logger: Logger;
  /** Checked between pages: true stops catch-up early (progress so far is kept). */
  readonly shouldStop?: () => boolean;
  /** Awaited before each page: backpressure holds catch-up while the queues are too deep. */
  readonly waitForRoom?: () => Promise<void>;
}

/**
 * Enqueues the events that were in the store before the slot existed, in global-position
 * order, exactly as streamed events are, and records progress after each page is in Redis,
 * so a crash resumes from the last page. Call it only once the slot exists: then every event
 * committed before the slot was created has a position at or below the current maximum,
 * which bounds the scan; later events come from the slot (duplicates are harmless, the
 * projector's version guard drops them). Returns false when stopped before the end.
 */
export async function runCatchUp(deps: CatchUpDeps): Promise<boolean> {
  const { db, slotName, pageSize, publisher, counters, metrics, logger } = deps;
  const state = await loadCatchUpState(db, slotName);
  if (state.done) return true;
  const target = await maxPosition(db);
  let position = state.position;
  const startedAt = Date.now();
  let read = 0;
  logger.info({ from: position.toString(), to: target.toString() }, 'catch-up started');
  while (position < target) {
    await deps.waitForRoom?.();
    if (deps.shouldStop?.()) return false;
    const page = (await readEventsAfter(db, position, pageSize)).filter((e) => e.position <= target);
    const last = page[page.length - 1];
    if (!last) break;
    counters.eventsRead += page.length;
    counters.catchupEvents += page.length;
    for (const event of page) metrics.read(event);
    metrics.flushReads();
    const result = await publisher.publish(page);
    counters.jobsAdded += result.jobs;
    counters.eventsEnqueued += result.events;
    position = last.position;
    read += page.length;
    await saveCatchUpState(db, slotName, { done: false, position });
  }
  await saveCatchUpState(db, slotName, { done: true, position: position > target ? position : target });
  const seconds = (Date.now() - startedAt) / 1000;
  logger.info({ events: read, seconds, eventsPerSecond: seconds > 0 ? Math.round(read / seconds) : read }, 'catch-up done');
  return true;
}

/** The highest global position in the store (0 when it is empty). */
export async function maxPosition(db: Kysely<LedgerDatabase>): Promise<bigint> {
  const { rows } = await sql<{ max: string }>`select coalesce(max(global_position), 0)::text as max from events`.execute(db);
  return BigInt(rows[0]?.max ?? '0');
}
