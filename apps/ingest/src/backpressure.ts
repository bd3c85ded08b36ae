/**
 * Queue-depth backpressure (issue 5). Pure: the gate (queue-gate.ts) feeds it the number of
 * jobs waiting in the partition queues and does what it says.
 *
 * Ingest must not outrun the projectors without bound: every job it adds sits in Redis until a
 * projector takes it, so a burst with slow (or no) projectors would grow Redis — and, through
 * the flusher, ingest — without limit. Above the high watermark ingest stops reading the slot
 * (and stops catch-up and refill paging); nothing read is acknowledged meanwhile, so the slot
 * keeps every event and nothing is lost. It reads on once the depth is back at the low
 * watermark: the gap between the two keeps it from flapping at the bound one job at a time.
 */
export interface Watermarks {
  /** Pause once at least this many jobs wait (0: backpressure is off). */
  readonly pauseAtJobs: number;
  /** Resume once at most this many jobs wait (below `pauseAtJobs`). */
  readonly resumeAtJobs: number;
}

/** Whether ingest should be paused after seeing `queuedJobs`, given whether it is paused now. */
export function nextPaused(paused: boolean, queuedJobs: number, watermarks: Watermarks): boolean {
  if (watermarks.pauseAtJobs <= 0) return false;
  return paused ? queuedJobs > watermarks.resumeAtJobs : queuedJobs >= watermarks.pauseAtJobs;
}

/** The default low watermark: half the high one, so a resume frees room for a real burst of work. */
export function defaultResumeAt(pauseAtJobs: number): number {
  return Math.floor(pauseAtJobs / 2);
}

/** How retained WAL is reported: a warning at most every `everyMs` while above `thresholdBytes`. */
export interface RetainedWalWarning {
  readonly thresholdBytes: bigint;
  readonly everyMs: number;
}

/**
 * True when a warning about `retainedBytes` is due now: above the threshold, and either never
 * warned or warned at least `everyMs` ago (a stuck slot warns steadily, not per poll).
 */
export function retainedWalWarningDue(retainedBytes: bigint | undefined, lastWarnedMs: number | undefined, nowMs: number, policy: RetainedWalWarning): boolean {
  if (retainedBytes === undefined || policy.thresholdBytes <= 0n || retainedBytes <= policy.thresholdBytes) return false;
  return lastWarnedMs === undefined || nowMs - lastWarnedMs >= policy.everyMs;
}
