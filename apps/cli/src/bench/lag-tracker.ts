/**
 * Commit-to-projection lag per event, from two clocks on the same machine: when the appender's
 * INSERT returned (the event is committed) and when a poll first saw the checkpoint of the
 * event's partition at or past the event's position (its projector transaction committed).
 * A partition's checkpoint only moves past positions whose events are applied (batches of a
 * partition are applied in position order), so that observation covers the event. The poll
 * interval and query time are added to every lag: the figures err on the high side.
 *
 * Each observed event keeps its lag and its observation time (ms since the first commit) in
 * Float32Arrays: a 60 s run at 20,000/s sees 1.2 M events, and the lags are whole ms well
 * inside float32's exact integer range (2^24 ms ≈ 4.6 h).
 */
export class LagTracker {
  readonly #pending = new Map<number, { positions: number[]; committedAt: number[]; next: number }>();
  #appended = 0;
  #origin: number | undefined;
  #observedMs: Float32Array;
  #lagMs: Float32Array;
  #observed = 0;

  /** `expected`: how many events the run will append (sizes the arrays; they grow past it). */
  constructor(expected = 1024) {
    this.#observedMs = new Float32Array(Math.max(16, expected));
    this.#lagMs = new Float32Array(Math.max(16, expected));
  }

  /** Records a committed event; positions must increase within a partition. */
  appended(partition: number, position: number, committedAtMs: number): void {
    this.#origin ??= committedAtMs;
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
        const committedAt = p.committedAt[p.next]!;
        this.#record(committedAt - this.#origin!, Math.max(0, observedAtMs - committedAt));
        p.next++;
      }
    }
  }

  #record(committedMs: number, lagMs: number): void {
    if (this.#observed === this.#lagMs.length) {
      const grow = (a: Float32Array) => {
        const bigger = new Float32Array(a.length * 2);
        bigger.set(a);
        return bigger;
      };
      this.#observedMs = grow(this.#observedMs);
      this.#lagMs = grow(this.#lagMs);
    }
    // Commit time + clamped lag, so commit time = observation − lag holds for every event.
    this.#observedMs[this.#observed] = committedMs + lagMs;
    this.#lagMs[this.#observed++] = lagMs;
  }

  get appendedCount(): number {
    return this.#appended;
  }

  get observedCount(): number {
    return this.#observed;
  }

  /** Lags of the events seen projected so far, in ms, in the order they were seen (a view). */
  get lags(): Float32Array {
    return this.#lagMs.subarray(0, this.#observed);
  }

  /** When each of those events was seen, in ms since the first commit (a view, same order). */
  get observedMs(): Float32Array {
    return this.#observedMs.subarray(0, this.#observed);
  }
}
