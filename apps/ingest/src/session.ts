import { LedgerflowError } from '@ledgerflow/cdc-core';
import { EVENTS_PUBLICATION, agreePartitionCount } from '@ledgerflow/sinks';
import type { Logger } from 'pino';
import { runCatchUp } from './catch-up';
import type { IngestConfig } from './config';
import type { IngestCounters } from './counters';
import type { CrashRepair } from './crash-repair';
import type { IngestMetrics } from './ingest-metrics';
import { loadCatchUpState, saveCatchUpState } from './ingest-state';
import type { RedisGuard } from './redis-guard';
import type { IngestResources } from './resources';
import { ensureSlot, readSlot } from './slot';
import { startStream } from './stream';
import type { Gate } from './queue-gate';
import type { Session } from './supervisor';

/** What every session of one ingest shares (they live as long as the ingest). */
export interface SessionContext {
  readonly config: IngestConfig;
  readonly resources: IngestResources;
  readonly guard: RedisGuard;
  /** Repairs the read models when PostgreSQL crashed since the last session (decision 015). */
  readonly crashRepair: CrashRepair;
  readonly counters: IngestCounters;
  readonly metrics: IngestMetrics;
  readonly logger: Logger;
  readonly suppressAcks: boolean;
  /** Backpressure on queue depth, shared by the stream and catch-up. */
  readonly gate?: Gate;
}

/**
 * Starts one session: makes sure the slot exists, takes over the Redis sentinel (first session
 * only), catches up on events stored before the slot, then streams the slot. Resolves once
 * streaming has started; throws (having closed what it opened) if any step fails.
 */
export async function startSession(ctx: SessionContext, signal: AbortSignal): Promise<Session> {
  const { config, resources, counters, metrics, logger } = ctx;
  await prepare(ctx, signal);
  let reportFailure: (error: Error) => void = () => undefined;
  const failed = new Promise<Error>((resolve) => (reportFailure = resolve));
  const stream = await startStream({
    databaseUrl: config.databaseUrl,
    slotName: config.slotName,
    publication: EVENTS_PUBLICATION,
    policy: config,
    publisher: resources.publisher,
    counters,
    metrics,
    logger,
    readConfirmedFlush: async () => (await readSlot(resources.pool, config.slotName))?.confirmedFlush,
    onFatal: (error) => reportFailure(error),
    signal,
    suppressAcks: ctx.suppressAcks,
    statusIntervalMs: config.statusIntervalMs,
    ...(ctx.gate ? { gate: ctx.gate } : {}),
  });
  return { failed, stop: () => stream.stop(), abort: () => stream.abort() };
}

/**
 * The partition count first (the database's record must match ours, or nothing may be
 * enqueued: decision 017), slot second, sentinel and crash marker third, catch-up fourth. A
 * slot created now gets its catch-up progress reset (before the creation, see ensureSlot), so
 * the events stored before it are enqueued from the start. The sentinel is taken over before
 * catch-up enqueues anything, so a Redis loss during catch-up is noticed too; a catch-up from
 * position 0 makes a start-up refill redundant (it enqueues every stored event anyway). The
 * crash marker is read at every session start because a PostgreSQL crash always ends the
 * session (crash-repair.ts).
 */
async function prepare(ctx: SessionContext, signal: AbortSignal): Promise<void> {
  const { config, resources, counters, metrics, logger, guard } = ctx;
  const { pool, db, publisher } = resources;
  // Agreed at start-up (agreeOnPartitions); checked again at every session start: between
  // sessions the slot is idle, and `ledgerflow partitions set` may have changed the record.
  await agreePartitionCount(db, { partitions: config.partitions, source: config.partitionsSet ? 'set' : 'running' });
  const { created } = await ensureSlot(pool, config.slotName, () => saveCatchUpState(db, config.slotName, { done: false, position: 0n }));
  logger.info({ created }, created ? 'created replication slot' : 'using existing replication slot');
  const state = await loadCatchUpState(db, config.slotName);
  await guard.init(!state.done && state.position === 0n);
  await ctx.crashRepair.check();
  const shouldStop = () => signal.aborted;
  const waitForRoom = ctx.gate ? () => ctx.gate!.waitUntilOpen() : undefined;
  const caughtUp = await runCatchUp({ db, slotName: config.slotName, pageSize: config.catchupPageSize, publisher, counters, metrics, logger, shouldStop, ...(waitForRoom ? { waitForRoom } : {}) });
  if (!caughtUp || shouldStop()) throw new LedgerflowError('TRANSIENT_FAILURE', 'ingest session start aborted', { retryable: true });
}
