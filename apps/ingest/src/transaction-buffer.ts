import type { StoredEvent } from '@ledgerflow/cdc-core';
import type { BufferState } from './flush-policy';

/** What one flush ships, and the slot position to confirm once it is in Redis. */
export interface TakenBatch {
  readonly events: StoredEvent[];
  /** End LSN of the last commit whose events are all in this or an earlier batch. */
  readonly ackPosition: bigint | undefined;
}

/**
 * Events read from the slot and not yet flushed, in commit order: a head of complete
 * transactions ("ready") followed by the events of the transaction still being read ("open").
 * No I/O; the flusher decides when to take.
 */
export class TransactionBuffer {
  #events: StoredEvent[] = [];
  #ready = 0;
  #readySinceMs: number | undefined;
  #ackPosition: bigint | undefined;

  /** Appends an event of the transaction being read. */
  add(event: StoredEvent): void {
    this.#events.push(event);
  }

  /** Marks every buffered event as part of a complete transaction ending at `endPosition`. */
  commit(endPosition: bigint, nowMs: number): void {
    this.#ready = this.#events.length;
    this.#readySinceMs ??= nowMs;
    if (this.#ackPosition === undefined || endPosition > this.#ackPosition) this.#ackPosition = endPosition;
  }

  /** The numbers the flush policy looks at. */
  state(): BufferState {
    return { readyEvents: this.#ready, openEvents: this.#events.length - this.#ready, readySinceMs: this.#readySinceMs };
  }

  /** Every buffered event, complete transactions or not. */
  get size(): number {
    return this.#events.length;
  }

  /** Removes the ready events (and with `includeOpen` the open ones too) for a flush. */
  take(includeOpen: boolean): TakenBatch {
    const count = includeOpen ? this.#events.length : this.#ready;
    let events: StoredEvent[];
    if (count === this.#events.length) {
      events = this.#events;
      this.#events = [];
    } else {
      events = this.#events.slice(0, count);
      this.#events = this.#events.slice(count);
    }
    const ackPosition = this.#ackPosition;
    this.#ready = 0;
    this.#readySinceMs = undefined;
    this.#ackPosition = undefined;
    return { events, ackPosition };
  }

  /**
   * Drops the open transaction's events (on shutdown: they are not acknowledged, so the slot
   * sends them again) and returns how many were dropped.
   */
  discardOpen(): number {
    const dropped = this.#events.length - this.#ready;
    this.#events.length = this.#ready;
    return dropped;
  }
}
