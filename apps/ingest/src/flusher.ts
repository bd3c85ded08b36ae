import type { StoredEvent } from '@ledgerflow/cdc-core';
import { decideFlush, mustPauseReading, type FlushPolicy, type LastFlush } from './flush-policy';
import type { TransactionBuffer } from './transaction-buffer';

/** What the flusher drives. */
export interface FlusherDeps {
  readonly buffer: TransactionBuffer;
  readonly policy: FlushPolicy;
  /** Puts events in Redis; resolves, with the number of jobs they made, when they are there. */
  readonly publish: (events: StoredEvent[]) => Promise<number>;
  /** Confirms a slot position to PostgreSQL (only called after the publish that covers it). */
  readonly acknowledge: (position: bigint) => void;
  /** Called once if a publish fails; the flusher then does nothing more. */
  readonly onFailure: (error: unknown) => void;
  /** Monotonic clock in ms (the one the buffer's commit times come from). */
  readonly now: () => number;
}

/**
 * Runs the flush policy against the buffer: at most one flush at a time (so each partition's
 * jobs reach Redis in commit order and acknowledgements only move forward), a timer for the
 * flush interval and pacing, and backpressure for the reader.
 */
export class Flusher {
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failed = false;
  #closed = false;
  /** The last flush that published jobs (the policy paces the next one from it). */
  #lastFlush: LastFlush | undefined;

  constructor(private readonly deps: FlusherDeps) {}

  /** True when no flush is in flight (so every position it took is confirmed or failed). */
  get idle(): boolean {
    return this.#running === undefined;
  }

  /** Call after every change to the buffer: starts a flush or arms the timer, as the policy says. */
  kick(): void {
    if (this.#running || this.#failed || this.#closed) return;
    const decision = decideFlush(this.deps.buffer.state(), this.deps.now(), this.deps.policy, this.#lastFlush);
    if (decision.kind === 'flush') this.#start(decision.includeOpen);
    else if (decision.kind === 'wait' && !this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.kick();
      }, decision.ms);
    }
  }

  /**
   * Resolves when the buffer is below the memory bound again, flushing early if it must.
   * The reader awaits this before taking the next message, which pauses the slot.
   */
  async waitForRoom(): Promise<void> {
    const { buffer, policy } = this.deps;
    while (!this.#failed && !this.#closed && mustPauseReading(buffer.state(), policy)) {
      if (!this.#running) this.#start(buffer.state().openEvents >= policy.maxPendingEvents);
      await this.#running;
    }
  }

  /**
   * For shutdown: stops flushing on its own, waits for the flush in flight, then flushes and
   * acknowledges every complete transaction still buffered. The open transaction is dropped:
   * it was not acknowledged, so the slot sends it again.
   */
  async drain(): Promise<void> {
    this.#closed = true;
    this.#clearTimer();
    while (this.#running) await this.#running;
    if (this.#failed) return;
    this.deps.buffer.discardOpen();
    if (this.deps.buffer.state().readySinceMs !== undefined) await this.#flushOnce(false);
  }

  /**
   * For a failed session: stops flushing and waits for the flush in flight, without flushing
   * what is left. Waiting keeps the next session's jobs behind this one's in each queue; what
   * is left was never acknowledged, so the slot sends it again.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#clearTimer();
    while (this.#running) await this.#running;
  }

  #start(includeOpen: boolean): void {
    this.#clearTimer();
    this.#running = this.#flushOnce(includeOpen).finally(() => {
      this.#running = undefined;
      this.kick();
    });
  }

  async #flushOnce(includeOpen: boolean): Promise<void> {
    const batch = this.deps.buffer.take(includeOpen);
    const atMs = this.deps.now();
    try {
      if (batch.events.length > 0) this.#lastFlush = { atMs, jobs: await this.deps.publish(batch.events) };
      if (batch.ackPosition !== undefined) this.deps.acknowledge(batch.ackPosition);
    } catch (error) {
      // The taken events are gone from memory but were never acknowledged: the session restart
      // this failure leads to replays them from the slot.
      this.#failed = true;
      this.#clearTimer();
      this.deps.onFailure(error);
    }
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
