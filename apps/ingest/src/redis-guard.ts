import { randomUUID } from 'node:crypto';
import { LedgerflowError } from '@ledgerflow/cdc-core';
import type { Logger } from 'pino';
import type { IngestCounters } from './counters';
import type { RefillProgress } from './refill';
import { decideAtStart, decideOnCheck, epochOfMarker, refillMarker } from './sentinel';
import type { SentinelStore } from './sentinel-store';

/** What the guard needs. */
export interface RedisGuardDeps {
  readonly store: SentinelStore;
  /** Enqueues the unapplied events of the window (refill.ts); false when stopped early. */
  readonly refill: (progress: RefillProgress, shouldContinue: () => Promise<boolean>) => Promise<boolean>;
  /** The store's highest global position: the end of a refill, read once the loss is marked. */
  readonly maxPosition: () => Promise<bigint>;
  /** Pause between two sentinel checks (ms). */
  readonly intervalMs: number;
  readonly counters: IngestCounters;
  readonly logger: Logger;
  /** Called when a refill has run to the end (the metric). */
  readonly onRefilled?: () => void;
  readonly newEpoch?: () => string;
}

/** A loss being repaired: the marker in Redis and how far the refill got. */
interface PendingRefill {
  readonly marker: string;
  progress: RefillProgress | undefined;
}

/**
 * DESIGN §1: Redis is a buffer and any loss in it is repaired from PostgreSQL. The guard
 * notices a loss through the sentinel (see sentinel.ts) and then enqueues every event the read
 * models have not applied. That set is the right one whatever was lost: the events of every
 * job Redis dropped, acknowledged to the slot or not, are either applied already (nothing to
 * do) or unapplied (re-enqueued). The refill's window ends at the highest position read after
 * the marker is written, which is after the loss: every event committed before it lies inside,
 * and anything committed later reaches Redis through the stream after the loss.
 */
export class RedisGuard {
  #expected: string | undefined;
  #pending: PendingRefill | undefined;
  #stopped = false;
  #checkRequested = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(private readonly deps: RedisGuardDeps) {}

  /**
   * Start-up: reads the sentinel and takes it over, or marks a loss (see decideAtStart). Call
   * before anything is enqueued; throws if Redis cannot be reached, so the session fails and is
   * retried. Once it succeeds, the periodic checks run until `stop()`. Later calls do nothing.
   */
  async init(catchUpFromScratch: boolean): Promise<void> {
    if (this.#expected !== undefined) return;
    // A compare-and-set fails only if the key changed between our read and our write: read again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const observed = await this.deps.store.get();
      const action = decideAtStart(observed, catchUpFromScratch);
      const ok = action === 'begin-refill' ? await this.#beginRefill(observed, 'at start-up') : await this.#takeOver(observed);
      if (ok) {
        this.#loop = this.#run();
        return;
      }
    }
    throw new LedgerflowError('TRANSIENT_FAILURE', 'the Redis sentinel kept changing during start-up', { retryable: true });
  }

  /** Checks at once instead of after the pause (after an enqueue failed, Redis may be new). */
  checkSoon(): void {
    this.#checkRequested = true;
    this.#wake?.();
  }

  /** Stops checking; a refill in progress stops after its current page (its marker stays, so the next ingest refills). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
  }

  async #takeOver(observed: string | null): Promise<boolean> {
    const epoch = this.#newEpoch();
    if (!(await this.deps.store.compareAndSet(observed, epoch))) return false;
    this.#expected = epoch;
    this.deps.logger.info({ epoch, previous: observed }, 'Redis sentinel written');
    return true;
  }

  /** Marks a loss first, so that a second loss during the refill is noticed (the marker vanishes). */
  async #beginRefill(observed: string | null, when: string): Promise<boolean> {
    const marker = refillMarker(this.#newEpoch());
    if (!(await this.deps.store.compareAndSet(observed, marker))) return false;
    this.#expected = marker;
    this.#pending = { marker, progress: undefined };
    this.deps.counters.redisLosses++;
    this.deps.logger.warn({ observed, when }, 'Redis lost its keys (sentinel missing or not ours); refilling unapplied events from PostgreSQL');
    return true;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.#tick();
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'Redis sentinel check or refill failed; trying again');
      }
      await this.#pause();
    }
  }

  async #tick(): Promise<void> {
    const observed = await this.deps.store.get();
    const action = decideOnCheck(observed, this.#expected!, this.#pending !== undefined);
    if (action === 'ok') return;
    if (action === 'begin-refill' && !(await this.#beginRefill(observed, 'while running'))) return;
    await this.#refill(this.#pending!);
  }

  async #refill(pending: PendingRefill): Promise<void> {
    const { store, counters, logger } = this.deps;
    pending.progress ??= { after: 0n, upTo: await this.deps.maxPosition() };
    const startedAt = Date.now();
    const before = counters.refillEvents;
    // Per page: stop if Redis lost the marker (and so maybe the pages before); the next check starts over.
    const done = await this.deps.refill(pending.progress, async () => !this.#stopped && (await store.get()) === pending.marker);
    if (!done) return;
    const epoch = epochOfMarker(pending.marker);
    if (!(await store.compareAndSet(pending.marker, epoch))) return;
    this.#expected = epoch;
    this.#pending = undefined;
    counters.refills++;
    this.deps.onRefilled?.();
    logger.info({ events: counters.refillEvents - before, upTo: pending.progress.upTo.toString(), ms: Date.now() - startedAt }, 'Redis refilled from PostgreSQL');
  }

  async #pause(): Promise<void> {
    if (this.#stopped) return;
    if (this.#checkRequested) {
      this.#checkRequested = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.deps.intervalMs);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
    this.#checkRequested = false;
  }

  #newEpoch(): string {
    return (this.deps.newEpoch ?? randomUUID)();
  }
}
