import { LedgerflowError } from '@ledgerflow/cdc-core';
import type { Logger } from 'pino';
import { decideRetry, nextFailureCount, type RetryPolicy } from './retry-policy';

/** One attempt at ingesting: slot check, catch-up, stream. */
export interface Session {
  /** Settles with the error that ended the session; stays pending while it is healthy. */
  readonly failed: Promise<Error>;
  /** Graceful: flush and confirm whole transactions, then close. */
  stop(): Promise<void>;
  /** After a failure: close without flushing more. */
  abort(): Promise<void>;
}

/** What the supervisor runs. */
export interface SupervisorDeps {
  /** Starts a session; resolves once it streams. `signal` aborts a start in progress. */
  readonly startSession: (signal: AbortSignal) => Promise<Session>;
  readonly policy: RetryPolicy;
  readonly logger: Logger;
  /** Called for each failure that will be retried. */
  readonly onRetry?: (error: Error) => void;
  /** Called once if a failure cannot be retried; the supervisor has stopped by then. */
  readonly onGiveUp: (error: Error) => void;
  /** Called with true when a session starts streaming, with false when it ends (failure or stop). */
  readonly onStreaming?: (streaming: boolean) => void;
  readonly random?: () => number;
  readonly now?: () => number;
}

const STOPPED = Symbol('stopped');

/**
 * Keeps ingest running through PostgreSQL restarts, dropped replication connections and Redis
 * outages: when a session fails it is closed, and after an exponential backoff with jitter a
 * new one starts from the slot (which re-delivers everything after `confirmed_flush_lsn`;
 * duplicates are absorbed downstream by job ids and the projector's version guard). It retries
 * forever, logging each attempt, unless the failure is one no retry can fix (retry-policy.ts).
 */
export class Supervisor {
  readonly #stop = new AbortController();
  readonly #stopped: Promise<typeof STOPPED>;
  #loop: Promise<void> | undefined;
  #firstStarted: { resolve: () => void; reject: (error: Error) => void } | undefined;

  constructor(private readonly deps: SupervisorDeps) {
    this.#stopped = new Promise((resolve) => this.#stop.signal.addEventListener('abort', () => resolve(STOPPED), { once: true }));
  }

  /**
   * Starts supervising. Resolves once the first session streams (failures before that are
   * retried too); rejects if the supervisor gives up or is stopped before.
   */
  start(): Promise<void> {
    const first = new Promise<void>((resolve, reject) => (this.#firstStarted = { resolve, reject }));
    this.#loop = this.#run();
    return first;
  }

  /** Stops at any moment: during a start, a running session (graceful stop) or a backoff. Idempotent. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { policy, logger } = this.deps;
    const now = this.deps.now ?? Date.now;
    let failures = 0;
    while (!this.#stop.signal.aborted) {
      const startedAt = now();
      const error = await this.#runSession();
      if (error === undefined) break;
      failures = nextFailureCount(failures, now() - startedAt);
      const decision = decideRetry(error, failures, policy, (this.deps.random ?? Math.random)());
      if (decision.kind === 'give-up') {
        logger.fatal({ err: error }, 'ingest failed in a way no retry can fix');
        this.#firstStarted?.reject(error);
        this.deps.onGiveUp(error);
        return;
      }
      logger.warn({ err: error, attempt: decision.attempt, delayMs: decision.delayMs }, 'ingest session failed; starting again from the slot after a pause');
      this.deps.onRetry?.(error);
      await this.#sleep(decision.delayMs);
    }
    this.#firstStarted?.reject(new LedgerflowError('TRANSIENT_FAILURE', 'ingest stopped before it started', { retryable: true }));
  }

  /** Runs one session to its end: the error that ended it, or undefined when stopped. */
  async #runSession(): Promise<Error | undefined> {
    let session: Session;
    try {
      session = await this.deps.startSession(this.#stop.signal);
    } catch (error) {
      return this.#stop.signal.aborted ? undefined : toError(error);
    }
    if (this.#stop.signal.aborted) {
      await this.#close(session, 'stop');
      return undefined;
    }
    this.#firstStarted?.resolve();
    this.deps.onStreaming?.(true);
    const outcome = await Promise.race([session.failed, this.#stopped]);
    this.deps.onStreaming?.(false);
    if (outcome === STOPPED) {
      await this.#close(session, 'stop');
      return undefined;
    }
    await this.#close(session, 'abort');
    return outcome;
  }

  async #close(session: Session, how: 'stop' | 'abort'): Promise<void> {
    await (how === 'stop' ? session.stop() : session.abort()).catch((error: unknown) => this.deps.logger.warn({ err: error, how }, 'closing the ingest session failed'));
  }

  async #sleep(ms: number): Promise<void> {
    if (this.#stop.signal.aborted) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, ms))), this.#stopped]);
    clearTimeout(timer);
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
