import { isLedgerflowError } from '@ledgerflow/cdc-core';

/**
 * How the ingest supervisor retries a failed session (replication connection lost, PostgreSQL
 * restarting, Redis refusing jobs). Pure: the supervisor feeds it failures and the clock.
 */
export interface RetryPolicy {
  /** Delay before the first retry (ms); doubles with each consecutive failure. */
  readonly retryInitialMs: number;
  /** Upper bound of the delay (ms). */
  readonly retryMaxMs: number;
}

/**
 * A session that ran this long before failing counts as healthy: the next failure starts the
 * backoff over. Shorter sessions keep growing it, so a failure that recurs right after every
 * start (a server that accepts the connection and then drops it) backs off to the maximum
 * instead of spinning at the initial delay.
 */
export const STABLE_SESSION_MS = 30_000;

export type RetryDecision =
  /** Start a new session after `delayMs`; `attempt` is the consecutive-failure count. */
  | { readonly kind: 'retry'; readonly delayMs: number; readonly attempt: number }
  /** Retrying cannot help: stop and report. */
  | { readonly kind: 'give-up' };

/**
 * True for failures no retry can fix. Only a configuration that is wrong on its face (a slot
 * of another plugin or database, an invalid setting) or that the database refuses (another
 * partition count than the one it records) qualifies: every connection, server or Redis
 * failure may heal, and retrying forever with logs is what an orchestrator would do anyway,
 * minus the cold start.
 */
export function isFatal(error: unknown): boolean {
  return (isLedgerflowError(error, 'CONFIG_INVALID') || isLedgerflowError(error, 'PARTITION_COUNT_MISMATCH')) && !error.retryable;
}

/** The consecutive-failure count after a session that ran `sessionMs` ended in a failure. */
export function nextFailureCount(previous: number, sessionMs: number): number {
  return sessionMs >= STABLE_SESSION_MS ? 1 : previous + 1;
}

/**
 * Exponential backoff with jitter: the n-th consecutive failure waits a random time in
 * [base/2, base], base = min(max, initial · 2^(n-1)). The jitter spreads reconnects of several
 * ingests after a shared outage; keeping half of the base avoids hammering a server that is
 * still starting. `random` is in [0, 1).
 */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const base = Math.min(policy.retryMaxMs, policy.retryInitialMs * 2 ** exponent);
  return Math.round(base / 2 + (random * base) / 2);
}

/** What to do after the `attempt`-th consecutive failure. */
export function decideRetry(error: unknown, attempt: number, policy: RetryPolicy, random: number): RetryDecision {
  if (isFatal(error)) return { kind: 'give-up' };
  return { kind: 'retry', delayMs: backoffDelayMs(attempt, policy, random), attempt };
}
