/**
 * When ingest hands pending events to the queue. Pure: the flusher feeds it the buffer's state
 * and the clock and does what it says.
 *
 * Small batches when idle keep commit-to-queue lag near `flushIntervalMs`; when the source is
 * ahead, events pile up while a flush is in flight, so the next flush is big (up to
 * `maxBatchEvents` and beyond), which is what throughput needs: one BullMQ job costs ≈ 15
 * Redis commands whatever it carries. Between those two, a steady trickle of small commits
 * would make about one job per partition per flush, each costing as much as a full one, and
 * the machine's CPU goes to job overhead: `maxJobsPerSecond` paces flushes — after a flush of
 * n jobs the next waits until n / maxJobsPerSecond has passed — so that commits arriving close
 * together share jobs. A flush of one job paces for a moment only, so quiet traffic keeps its
 * low lag; the wait is at most partitions / maxJobsPerSecond.
 */
export interface FlushPolicy {
  /** Flush at once when whole transactions hold at least this many events. */
  readonly maxBatchEvents: number;
  /** Flush when the oldest complete, unflushed transaction has waited this long… */
  readonly flushIntervalMs: number;
  /** …and, after a flush of n jobs, n / maxJobsPerSecond after it started (0: no pacing). */
  readonly maxJobsPerSecond: number;
  /** Memory bound: stop reading the slot while this many events are buffered. */
  readonly maxPendingEvents: number;
}

/**
 * The longest a flush waits for pacing with the default job budget: ingest's share of the lag at
 * low rates. A flush makes at most one job per partition, so the wait bound is partitions /
 * maxJobsPerSecond, and the default budget is derived from it (see defaultMaxJobsPerSecond).
 */
export const DEFAULT_PACING_WAIT_MS = 16;

/**
 * The job budget when none is configured: partitions / DEFAULT_PACING_WAIT_MS (1,000 jobs/s at
 * 16 partitions, 250 at 4). A fixed budget would make the wait grow with the partition count
 * and, with few partitions, let small jobs through at the same rate as with many: the CPU a job
 * costs (decision 013) bought nothing. Tying it to the partitions keeps the wait bound fixed,
 * and a bigger fleet (more partitions) gets a bigger budget.
 */
export function defaultMaxJobsPerSecond(partitions: number): number {
  return Math.ceil((partitions * 1000) / DEFAULT_PACING_WAIT_MS);
}

/** What the buffer holds right now. */
export interface BufferState {
  /** Events of transactions whose commit has been read. */
  readonly readyEvents: number;
  /** Events of the transaction still being read (its commit has not arrived). */
  readonly openEvents: number;
  /** When the oldest unflushed commit was read (ms), if any commit is unflushed. */
  readonly readySinceMs: number | undefined;
}

export type FlushDecision =
  /** Flush now; `includeOpen` also ships the open transaction's events (never acknowledged). */
  | { readonly kind: 'flush'; readonly includeOpen: boolean }
  /** Nothing to do yet; decide again in `ms`. */
  | { readonly kind: 'wait'; readonly ms: number }
  /** Nothing pending. */
  | { readonly kind: 'idle' };

/** The last flush: when it started and how many jobs it added. */
export interface LastFlush {
  readonly atMs: number;
  readonly jobs: number;
}

/**
 * Decides whether to flush. Only whole transactions are flushed, with one exception: a
 * single transaction larger than the memory bound is shipped in pieces (its commit, and so
 * its acknowledgement, still comes after every piece is in Redis), because holding it whole
 * would break the bound.
 */
export function decideFlush(state: BufferState, nowMs: number, policy: FlushPolicy, last?: LastFlush): FlushDecision {
  if (state.openEvents >= policy.maxPendingEvents) return { kind: 'flush', includeOpen: true };
  if (state.readySinceMs === undefined) return { kind: 'idle' };
  if (state.readyEvents >= policy.maxBatchEvents) return { kind: 'flush', includeOpen: false };
  const paced = last && policy.maxJobsPerSecond > 0 ? last.atMs + (last.jobs * 1000) / policy.maxJobsPerSecond : -Infinity;
  const dueMs = Math.max(state.readySinceMs + policy.flushIntervalMs, paced);
  if (nowMs >= dueMs) return { kind: 'flush', includeOpen: false };
  return { kind: 'wait', ms: dueMs - nowMs };
}

/** True when the reader must stop pulling from the slot until a flush frees memory. */
export function mustPauseReading(state: BufferState, policy: FlushPolicy): boolean {
  return state.readyEvents + state.openEvents >= policy.maxPendingEvents;
}
