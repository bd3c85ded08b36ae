import { LedgerflowError } from '@ledgerflow/cdc-core';
import { EVENTS_PUBLICATION } from '@ledgerflow/sinks';
import type { Logger } from 'pino';
import { runCatchUp } from './catch-up';
import type { IngestConfig } from './config';
import { newCounters, type IngestCounters } from './counters';
import { saveCatchUpState } from './ingest-state';
import { openResources, type IngestResources } from './resources';
import { ensureSlot, readSlot } from './slot';
import { startStream, type Stream } from './stream';

/** What a running ingest offers its owner. */
export interface IngestHandle {
  /**
   * Graceful stop: stops reading the slot, flushes and confirms every whole transaction read,
   * then closes the queues and the connections. Idempotent.
   */
  stop(): Promise<void>;
  /** A snapshot of the running totals. */
  readonly counters: Readonly<IngestCounters>;
}

/** Collaborators of `startIngest`. */
export interface IngestDeps {
  readonly logger: Logger;
  /**
   * Called once if the ingest dies (replication connection lost, Redis refusing jobs, a row
   * that cannot be decoded). Resources are already released; nothing unqueued was confirmed,
   * so a restart resumes without loss. Default: log only.
   */
  readonly onFatal?: (error: Error) => void;
  /** Aborts start-up (catch-up checks it between pages). */
  readonly signal?: AbortSignal;
  /** Test hooks; never set in production. */
  readonly testHooks?: { readonly suppressAcks?: boolean };
}

/**
 * Starts the ingest: makes sure the slot exists, catches up on events stored before it (first
 * start, or a crash during catch-up), then streams the slot into the partition queues.
 * Resolves once streaming has started; rejects (with everything closed) if start-up fails.
 */
export async function startIngest(config: IngestConfig, deps: IngestDeps): Promise<IngestHandle> {
  const logger = deps.logger.child({ component: 'ingest', slot: config.slotName });
  const counters = newCounters();
  const resources = openResources(config, logger);
  let stream: Stream | undefined;
  let stopping: Promise<void> | undefined;
  const onFatal = (error: Error) => {
    logger.error({ err: error }, 'ingest failed; stopping without confirming anything more');
    stopping ??= (async () => {
      await stream?.abort().catch(() => undefined);
      await resources.close();
    })();
    void stopping.then(() => deps.onFatal?.(error));
  };
  try {
    await prepareSlot(config, resources, counters, logger, deps.signal);
    stream = await startStream({
      databaseUrl: config.databaseUrl,
      slotName: config.slotName,
      publication: EVENTS_PUBLICATION,
      policy: config,
      publisher: resources.publisher,
      counters,
      logger,
      readConfirmedFlush: async () => (await readSlot(resources.pool, config.slotName))?.confirmedFlush,
      onFatal,
      suppressAcks: deps.testHooks?.suppressAcks === true,
    });
  } catch (error) {
    await resources.close();
    throw error;
  }
  const running = stream;
  return {
    stop() {
      stopping ??= (async () => {
        await running.stop().catch((error: unknown) => logger.warn({ err: error }, 'graceful stream stop failed'));
        await resources.close();
        logger.info({ counters }, 'ingest stopped');
      })();
      return stopping;
    },
    get counters() {
      return { ...counters };
    },
  };
}

/**
 * Slot first, catch-up second. A slot created now gets its catch-up progress reset (before the
 * creation, see ensureSlot), so the events stored before it are enqueued from the start.
 */
async function prepareSlot(config: IngestConfig, resources: IngestResources, counters: IngestCounters, logger: Logger, signal?: AbortSignal): Promise<void> {
  const { pool, db, publisher } = resources;
  const { created } = await ensureSlot(pool, config.slotName, () => saveCatchUpState(db, config.slotName, { done: false, position: 0n }));
  logger.info({ created }, created ? 'created replication slot' : 'using existing replication slot');
  const shouldStop = () => signal?.aborted === true;
  const caughtUp = await runCatchUp({ db, slotName: config.slotName, pageSize: config.catchupPageSize, publisher, counters, logger, shouldStop });
  if (!caughtUp || shouldStop()) throw new LedgerflowError('TRANSIENT_FAILURE', 'ingest start-up aborted', { retryable: true });
}
