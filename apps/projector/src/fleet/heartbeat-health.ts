/**
 * How healthy this member's own heartbeat has been, on the local monotonic clock. A member
 * fences others off only after its own heartbeat has been steady for a whole member timeout:
 * after a PostgreSQL outage every row is old at once, and a member that came back first would
 * otherwise terminate all the others before they had a chance to beat; after a stall of our
 * own, our view of the others is as old as our nap.
 */
export interface HeartbeatHealth {
  /** When the last beat succeeded. */
  readonly lastOkMs: number | undefined;
  /** Start of the current unbroken run of successful beats; undefined after a failure. */
  readonly healthySinceMs: number | undefined;
}

export const NO_HEARTBEAT: HeartbeatHealth = Object.freeze({ lastOkMs: undefined, healthySinceMs: undefined });

/**
 * The health after one beat. A success more than `maxGapMs` after the previous one (we were
 * stalled, or the event loop was) starts a new run, like a failure does. Pure.
 */
export function recordBeat(health: HeartbeatHealth, nowMs: number, ok: boolean, maxGapMs: number): HeartbeatHealth {
  if (!ok) return { lastOkMs: health.lastOkMs, healthySinceMs: undefined };
  const unbroken = health.healthySinceMs !== undefined && health.lastOkMs !== undefined && nowMs - health.lastOkMs <= maxGapMs;
  return { lastOkMs: nowMs, healthySinceMs: unbroken ? health.healthySinceMs : nowMs };
}

/** True when this member may fence others off now (see HeartbeatHealth). Pure. */
export function mayReapOthers(health: HeartbeatHealth, nowMs: number, memberTimeoutMs: number, maxGapMs: number): boolean {
  if (health.healthySinceMs === undefined || health.lastOkMs === undefined) return false;
  return nowMs - health.healthySinceMs >= memberTimeoutMs && nowMs - health.lastOkMs <= maxGapMs;
}
