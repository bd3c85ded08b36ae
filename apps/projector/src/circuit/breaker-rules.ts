/**
 * The circuit breaker around PostgreSQL as a pure state machine: every transition takes the
 * time (and, where it draws a cool-down, a random number in [0, 1)) as arguments, so tests
 * drive it with a fake clock.
 *
 *   closed ── N connection failures in a row, within windowMs ──► open
 *   open ── cool-down over: the one probe allowed ──► half-open
 *   half-open ── success ──► closed;  ── failure ──► open (a longer cool-down)
 */

/** How the breaker trips and recovers. */
export interface BreakerPolicy {
  /** Connection-class failures in a row that open the circuit. */
  readonly failureThreshold: number;
  /** A streak counts only while its first failure is at most this old (so sparse blips never add up). */
  readonly windowMs: number;
  /** Cool-down after the first trip; doubles with every failed probe… */
  readonly baseCooldownMs: number;
  /** …up to this. */
  readonly maxCooldownMs: number;
}

/** The state of the breaker. */
export type BreakerState =
  | { readonly kind: 'closed'; readonly failures: number; readonly streakStartMs: number }
  | { readonly kind: 'open'; readonly trips: number; readonly retryAtMs: number }
  | { readonly kind: 'half-open'; readonly trips: number };

/** A closed breaker with no failures. */
export const CLOSED: BreakerState = Object.freeze({ kind: 'closed', failures: 0, streakStartMs: 0 });

/**
 * The cool-down after the `trips`-th trip in a row: base·2^(trips-1) capped at maxCooldownMs,
 * with "equal jitter" (half fixed, half random), so it stays within [d/2, d] and members of a
 * fleet that lost the database together do not probe it in lockstep.
 */
export function cooldownMs(trips: number, policy: BreakerPolicy, random: number): number {
  return jitteredBackoffMs(trips, policy.baseCooldownMs, policy.maxCooldownMs, random);
}

/** base·2^(attempt-1) capped at maxMs, with equal jitter: within [d/2, d]. Pure. */
export function jitteredBackoffMs(attempt: number, baseMs: number, maxMs: number, random: number): number {
  const capped = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.round(capped / 2 + (capped / 2) * Math.min(Math.max(random, 0), 1));
}

function trip(trips: number, policy: BreakerPolicy, nowMs: number, random: number): BreakerState {
  return { kind: 'open', trips, retryAtMs: nowMs + cooldownMs(trips, policy, random) };
}

/** A connection-class failure was seen at `nowMs`. */
export function recordFailure(state: BreakerState, policy: BreakerPolicy, nowMs: number, random: number): BreakerState {
  switch (state.kind) {
    case 'open':
      // Work that was already in flight when the circuit opened: it proves nothing new.
      return state;
    case 'half-open':
      return trip(state.trips + 1, policy, nowMs, random);
    case 'closed': {
      const fresh = state.failures === 0 || nowMs - state.streakStartMs > policy.windowMs;
      const next = fresh ? { failures: 1, streakStartMs: nowMs } : { failures: state.failures + 1, streakStartMs: state.streakStartMs };
      return next.failures >= policy.failureThreshold ? trip(1, policy, nowMs, random) : { kind: 'closed', ...next };
    }
  }
}

/** Something reached PostgreSQL: the circuit closes (and a streak of failures ends). */
export function recordSuccess(state: BreakerState): BreakerState {
  return state.kind === 'closed' && state.failures === 0 ? state : CLOSED;
}

/**
 * Asks for the probe: allowed once the cool-down is over (the breaker goes half-open, and no
 * second probe is allowed until that one is recorded); never while closed (nothing to probe).
 */
export function claimProbe(state: BreakerState, nowMs: number): { readonly state: BreakerState; readonly allowed: boolean } {
  if (state.kind !== 'open' || nowMs < state.retryAtMs) return { state, allowed: false };
  return { state: { kind: 'half-open', trips: state.trips }, allowed: true };
}

/** True while callers must leave PostgreSQL alone (open or half-open: only the probe may go). */
export function isBlocked(state: BreakerState): boolean {
  return state.kind !== 'closed';
}

/** Milliseconds until the next probe is due (0 when due or not open). */
export function retryInMs(state: BreakerState, nowMs: number): number {
  return state.kind === 'open' ? Math.max(0, state.retryAtMs - nowMs) : 0;
}
