import type { StoredEvent } from '@ledgerflow/cdc-core';

/**
 * When an event committed (ms since the epoch): the commit timestamp the slot delivers, or for
 * rows read from the table (catch-up), `created_at`, which is the writing transaction's start
 * and so a close lower bound of its commit.
 */
export function commitTimeMsOf(event: StoredEvent): number {
  return event.committedAtMs ?? Date.parse(event.createdAt);
}

/** Where one partition stands on a rung of the lag ladder. */
export interface RungReading {
  readonly partition: number;
  /** Highest global position that reached the rung. */
  readonly position: bigint;
  /** How long after its commit that event reached the rung (s; never negative). */
  readonly lagSeconds: number;
}

interface Newest {
  readonly event: StoredEvent;
  readonly atMs: number;
}

/**
 * One rung of the lag ladder (read, enqueued) per partition: the newest event (highest global
 * position) that reached it and when. Only a higher position moves a partition, so replays
 * from the slot and refills of older events leave the rung where it is: the gauges describe
 * the head of each partition, not whatever was handled last. Pure; the clock is passed in.
 */
export class LagRung {
  readonly #newest = new Map<number, Newest>();

  /** Records that `event` of `partition` reached the rung at `atMs`; returns whether the partition moved. */
  advance(partition: number, event: StoredEvent, atMs: number): boolean {
    const current = this.#newest.get(partition);
    if (current && current.event.position >= event.position) return false;
    this.#newest.set(partition, { event, atMs });
    return true;
  }

  /** The newest position of a partition, if any event of it reached the rung. */
  position(partition: number): bigint | undefined {
    return this.#newest.get(partition)?.event.position;
  }

  /**
   * Every partition's reading. The lag is worked out here, at scrape time, not per event; it is
   * clamped at 0 because commit times come from the database server's clock.
   */
  readings(): RungReading[] {
    return [...this.#newest].map(([partition, { event, atMs }]) => ({
      partition,
      position: event.position,
      lagSeconds: Math.max(0, (atMs - commitTimeMsOf(event)) / 1000),
    }));
  }
}
