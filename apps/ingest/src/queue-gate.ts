import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { nextPaused, type Watermarks } from './backpressure';
import { BACKLOG_STATES, backlogOf } from './ops-stats';

/** What the gate watches. */
export interface QueueGateDeps {
  /** The partition queues (index = partition). */
  readonly queues: readonly Pick<Queue, 'getJobCounts'>[];
  readonly watermarks: Watermarks;
  /** Pause between two depth reads (ms). */
  readonly pollMs: number;
  readonly logger: Logger;
  /** Hears each change of state (the `ledgerflow_ingest_paused` gauge). */
  readonly onChange?: (paused: boolean) => void;
}

/** The part of the gate the readers use. */
export interface Gate {
  /** True while the queues are too deep to add to. */
  readonly paused: boolean;
  /** Resolves at once when open; otherwise once the depth falls to the low watermark or the gate stops. */
  waitUntilOpen(): Promise<void>;
}

/**
 * Reads the total backlog of the partition queues every `pollMs` (one LLEN/ZCARD per state
 * and queue: cheap) and opens or closes as backpressure.ts says. Readers (the stream, catch-up
 * and refill pages) ask it before taking more. A failed read keeps the last state: Redis being
 * down already stops every enqueue. Stopping opens it for good, so nobody waits past shutdown.
 */
export class QueueGate implements Gate {
  #paused = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #waiters: Array<() => void> = [];
  #pausedAtMs = 0;

  constructor(private readonly deps: QueueGateDeps) {}

  get paused(): boolean {
    return this.#paused && !this.#stopped;
  }

  /** Starts polling (not at all when backpressure is off). */
  start(): void {
    if (this.deps.watermarks.pauseAtJobs <= 0) return;
    void this.#poll();
  }

  waitUntilOpen(): Promise<void> {
    if (!this.paused) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Stops polling and releases every waiter. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#release();
  }

  /** Reads the depth once and applies it (exposed for tests). */
  async check(): Promise<number> {
    const counts = await Promise.all(this.deps.queues.map((queue) => queue.getJobCounts(...BACKLOG_STATES)));
    const depth = counts.reduce((sum, c) => sum + backlogOf(c), 0);
    this.#apply(depth);
    return depth;
  }

  async #poll(): Promise<void> {
    await this.check().catch((error: unknown) => this.deps.logger.debug({ err: error }, 'queue depth read for backpressure failed'));
    if (!this.#stopped) this.#timer = setTimeout(() => void this.#poll(), this.deps.pollMs);
  }

  #apply(depth: number): void {
    if (this.#stopped) return;
    const next = nextPaused(this.#paused, depth, this.deps.watermarks);
    if (next === this.#paused) return;
    this.#paused = next;
    const { pauseAtJobs, resumeAtJobs } = this.deps.watermarks;
    if (next) {
      this.#pausedAtMs = Date.now();
      this.deps.logger.info({ queuedJobs: depth, pauseAtJobs, resumeAtJobs }, 'queues are deep: ingest paused (nothing is acknowledged meanwhile; the slot keeps the events)');
    } else {
      this.deps.logger.info({ queuedJobs: depth, pausedMs: Date.now() - this.#pausedAtMs }, 'queues drained: ingest resumed');
      this.#release();
    }
    this.deps.onChange?.(next);
  }

  #release(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
