import { crashMarkerPresent, setCrashMarker } from '@ledgerflow/sinks';
import type { Logger } from 'pino';
import { maxPosition } from './catch-up';
import type { IngestConfig } from './config';
import { newCounters, type IngestCounters } from './counters';
import { CrashRepair } from './crash-repair';
import type { Tracer } from './enqueue-span';
import { IngestMetrics } from './ingest-metrics';
import { QueueGate } from './queue-gate';
import { RedisGuard } from './redis-guard';
import { refillUnapplied, type RefillDeps } from './refill';
import { openResources, type IngestResources } from './resources';
import { openSentinelStore, type SentinelStore } from './sentinel-store';
import { startSession } from './session';
import { startStatsPoller } from './stats-poller';
import { Supervisor } from './supervisor';

/** What a running ingest offers its owner. */
export interface IngestHandle {
  /**
   * Graceful stop, at any moment (also while a failed session waits to restart): stops reading
   * the slot, flushes and confirms every whole transaction read, then closes the queues and the
   * connections. Idempotent.
   */
  stop(): Promise<void>;
  /** A snapshot of the running totals. */
  readonly counters: Readonly<IngestCounters>;
}

/** Collaborators of `startIngest`. */
export interface IngestDeps {
  readonly logger: Logger;
  /**
   * Called once if the ingest dies of a failure no retry can fix (a slot of another plugin,
   * say); connection, server and Redis failures are retried forever instead. Resources are
   * already released; nothing unqueued was confirmed, so a restart resumes without loss.
   * Default: log only.
   */
  readonly onFatal?: (error: Error) => void;
  /** Aborts start-up (catch-up checks it between pages, backoffs end at once). */
  readonly signal?: AbortSignal;
  /**
   * Where ingest reports what it measures, and whether a session streams (for `/readyz`); the
   * owner registers its gauges. Given, ingest also polls queue depths and WAL positions every
   * `metricsPollMs`. Absent, a private one is used: counters go to the global meter (no-ops
   * without an SDK) and nothing is polled.
   */
  readonly metrics?: IngestMetrics;
  /**
   * Traces each partition's enqueue (`ingest.enqueue`, linked to the events' traces; its context
   * travels in the jobs); no spans without.
   */
  readonly tracer?: Tracer;
  /** Test hooks; never set in production. */
  readonly testHooks?: { readonly suppressAcks?: boolean };
}

/**
 * Starts the ingest: a supervisor runs sessions (slot check, catch-up, stream; see session.ts)
 * and restarts them after failures; a guard watches Redis for lost keys and refills it from
 * PostgreSQL; each session repairs the read models if PostgreSQL crashed (crash-repair.ts).
 * Resolves once the first session streams (failures before that are retried); rejects, with
 * everything closed, if start-up is aborted or fails for good.
 */
export async function startIngest(config: IngestConfig, deps: IngestDeps): Promise<IngestHandle> {
  const logger = deps.logger.child({ component: 'ingest', slot: config.slotName });
  const counters = newCounters();
  const metrics = deps.metrics ?? new IngestMetrics({ partitions: config.partitions });
  const resources = openResources(config, logger, {
    observer: metrics,
    ...(deps.tracer ? { tracer: deps.tracer } : {}),
  });
  const stopPolling = deps.metrics
    ? startStatsPoller({ pool: resources.pool, slotName: config.slotName, queues: resources.publisher.queues, metrics, intervalMs: config.metricsPollMs, logger, retainedWalWarnBytes: config.retainedWalWarnBytes })
    : () => undefined;
  const gate = new QueueGate({
    queues: resources.publisher.queues,
    watermarks: { pauseAtJobs: config.maxQueuedJobs, resumeAtJobs: config.resumeQueuedJobs },
    pollMs: config.backpressurePollMs,
    logger,
    onChange: (paused) => metrics.backpressure(paused),
  });
  gate.start();
  const store = openSentinelStore({ redisUrl: config.redisUrl, redisPrefix: config.redisPrefix, logger });
  const guard = createGuard(config, resources, store, counters, logger, gate, metrics);
  const crashRepair = createCrashRepair(config, resources, counters, logger, gate, metrics);
  let started = false;
  let stopping: Promise<void> | undefined;
  const close = async () => {
    stopPolling();
    gate.stop(); // releases whatever backpressure holds, so the stop is not stuck behind deep queues
    await supervisor.stop();
    await guard.stop();
    await crashRepair.stop();
    await store.close();
    await resources.close();
  };
  const supervisor = new Supervisor({
    startSession: (signal) => startSession({ config, resources, guard, crashRepair, counters, metrics, logger, gate, suppressAcks: deps.testHooks?.suppressAcks === true }, signal),
    policy: config,
    logger,
    onStreaming: (streaming) => (streaming ? metrics.sessionStreaming() : metrics.sessionEnded()),
    onRetry: (error) => {
      counters.sessionRestarts++;
      metrics.sessionFailed(error);
      // A failed enqueue may mean Redis restarted: look at the sentinel now, not in a second.
      guard.checkSoon();
    },
    onGiveUp: (error) => {
      metrics.sessionFailed(error);
      if (!started) return; // startIngest rejects with it
      stopping ??= close();
      void stopping.then(() => deps.onFatal?.(error));
    },
  });
  await startOrClose(supervisor, close, deps.signal);
  started = true;
  return {
    stop() {
      stopping ??= close().then(() => logger.info({ counters }, 'ingest stopped'));
      return stopping;
    },
    get counters() {
      return { ...counters };
    },
  };
}

/** What a refill needs: it enqueues through the same publisher as the stream, held by the same backpressure. */
function refillDepsOf(config: IngestConfig, resources: IngestResources, counters: IngestCounters, gate: QueueGate): RefillDeps {
  return { db: resources.db, publisher: resources.publisher, pageSize: config.catchupPageSize, counters, waitForRoom: () => gate.waitUntilOpen() };
}

/** The Redis guard of this ingest. */
function createGuard(config: IngestConfig, resources: IngestResources, store: SentinelStore, counters: IngestCounters, logger: Logger, gate: QueueGate, metrics: IngestMetrics): RedisGuard {
  const refillDeps = refillDepsOf(config, resources, counters, gate);
  return new RedisGuard({
    store,
    refill: (progress, shouldContinue) => refillUnapplied(refillDeps, progress, shouldContinue),
    maxPosition: () => maxPosition(resources.db),
    intervalMs: config.redisCheckIntervalMs,
    counters,
    logger,
    onRefilled: () => metrics.refilled('redis_loss'),
  });
}

/** The crash repair of this ingest (its refills use new job ids). */
function createCrashRepair(config: IngestConfig, resources: IngestResources, counters: IngestCounters, logger: Logger, gate: QueueGate, metrics: IngestMetrics): CrashRepair {
  const refillDeps = refillDepsOf(config, resources, counters, gate);
  return new CrashRepair({
    marker: { present: () => crashMarkerPresent(resources.db), set: () => setCrashMarker(resources.db) },
    refill: (progress, shouldContinue, jobIdSuffix) => refillUnapplied({ ...refillDeps, jobIdSuffix }, progress, shouldContinue),
    maxPosition: () => maxPosition(resources.db),
    counters,
    logger,
    onRepaired: () => metrics.refilled('postgres_crash'),
  });
}

/** Waits for the first session (an abort of `signal` stops waiting); closes everything if it never comes. */
async function startOrClose(supervisor: Supervisor, close: () => Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  const abortStart = () => void supervisor.stop();
  signal?.addEventListener('abort', abortStart, { once: true });
  if (signal?.aborted) abortStart();
  try {
    await supervisor.start();
  } catch (error) {
    await close();
    throw error;
  } finally {
    signal?.removeEventListener('abort', abortStart);
  }
}
