/**
 * Commit-to-projection lag per event, from two clocks on the same machine: when the appender's
 * INSERT returned (the event is committed) and when a poll first saw the checkpoint of the
 * event's partition at or past the event's position (its projector transaction committed).
 * A partition's checkpoint only moves past positions whose events are applied (batches of a
 * partition are applied in position order), so that observation covers the event. The poll
 * interval and query time are added to every lag: the figures err on the high side.
 */
export class LagTracker {
  readonly #pending = new Map<number, { positions: number[]; committedAt: number[]; next: number }>();
  readonly #lags: number[] = [];
  #appended = 0;

  /** Records a committed event; positions must increase within a partition. */
  appended(partition: number, position: number, committedAtMs: number): void {
    let p = this.#pending.get(partition);
    if (!p) this.#pending.set(partition, (p = { positions: [], committedAt: [], next: 0 }));
    p.positions.push(position);
    p.committedAt.push(committedAtMs);
    this.#appended++;
  }

  /** Applies one poll of the checkpoints (partition → position) seen at `observedAtMs`. */
  observe(checkpoints: ReadonlyMap<number, number>, observedAtMs: number): void {
    for (const [partition, position] of checkpoints) {
      const p = this.#pending.get(partition);
      if (!p) continue;
      while (p.next < p.positions.length && p.positions[p.next]! <= position) {
        this.#lags.push(Math.max(0, observedAtMs - p.committedAt[p.next]!));
        p.next++;
      }
    }
  }

  get appendedCount(): number {
    return this.#appended;
  }

  /** Lags of the events seen projected so far, in ms, in the order they were seen. */
  get lags(): readonly number[] {
    return this.#lags;
  }
}
