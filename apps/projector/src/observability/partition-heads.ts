import type { StoredEvent } from '@ledgerflow/cdc-core';
import type { GaugeReading } from '@ledgerflow/metrics';

/**
 * When an event committed (ms since the epoch): the commit time logical replication delivers,
 * or, for events read from the table (catch-up, gap repair), `created_at`, the writing
 * transaction's start and so a close lower bound of its commit.
 */
export function commitTimeMsOf(event: StoredEvent): number {
  return event.committedAtMs ?? Date.parse(event.createdAt);
}

/**
 * Seconds from an event's commit to `atMs`, clamped at 0 (commit times come from the database
 * server's clock); undefined when the event carries no usable time.
 */
export function lagSecondsOf(event: StoredEvent, atMs: number): number | undefined {
  const committed = commitTimeMsOf(event);
  return Number.isFinite(committed) ? Math.max(0, (atMs - committed) / 1000) : undefined;
}

interface Head {
  readonly position: bigint;
  readonly lagSeconds: number | undefined;
}

/**
 * One rung of the lag ladder per partition (applied, checkpointed): the highest global position
 * that reached it and how long after its commit it got there. Only a higher position moves a
 * partition, so redeliveries and gap repairs of older events leave it where it is: the gauges
 * describe the head of each partition, not whatever was handled last.
 */
export class PartitionHeads {
  readonly #heads = new Map<number, Head>();

  /** Moves the partition to `position` if that is higher; returns whether it moved. */
  advance(partition: number, position: bigint, lagSeconds?: number): boolean {
    const current = this.#heads.get(partition);
    if (current && current.position >= position) return false;
    this.#heads.set(partition, { position, lagSeconds });
    return true;
  }

  /** The head position of a partition, if it has one. */
  position(partition: number): bigint | undefined {
    return this.#heads.get(partition)?.position;
  }

  /** Forgets a partition (this process no longer owns it). */
  forget(partition: number): void {
    this.#heads.delete(partition);
  }

  /** Readings for a position gauge. */
  positions(): GaugeReading[] {
    return [...this.#heads].map(([partition, head]) => ({ value: head.position, attributes: { partition } }));
  }

  /** Readings for a lag gauge (seconds); partitions with no known lag are left out. */
  lags(): GaugeReading[] {
    return [...this.#heads].flatMap(([partition, head]) => (head.lagSeconds === undefined ? [] : [{ value: head.lagSeconds, attributes: { partition } }]));
  }
}
