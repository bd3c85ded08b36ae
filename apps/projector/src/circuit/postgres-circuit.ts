import type { Logger } from 'pino';
import { isConnectionError } from '../classify-error';
import { CLOSED, claimProbe, isBlocked, recordFailure, recordSuccess, retryInMs, type BreakerPolicy, type BreakerState } from './breaker-rules';

/** What the circuit needs besides its policy; clock and randomness are seams for tests. */
export interface PostgresCircuitOptions {
  readonly logger: Logger;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** What `snapshot()` reports (for tests and logs). */
export interface CircuitSnapshot {
  readonly state: BreakerState['kind'];
  /** Times the circuit opened (closed → open) since start. */
  readonly opened: number;
  /** Probes allowed since start. */
  readonly probes: number;
  readonly retryInMs: number;
}

/**
 * The breaker around PostgreSQL shared by everything one projector process does with the
 * database (see breaker-rules for the state machine). Only connection-class failures count
 * (isConnectionError): a statement timeout or a serialization failure says the server is up.
 * While it is not closed, partition consumers take no jobs and open no transactions, the
 * heartbeat and the gauges' polls skip their queries, and only the fleet loop's cheap probe
 * reaches the server, once per cool-down.
 */
export class PostgresCircuit {
  readonly #policy: BreakerPolicy;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #random: () => number;
  #state: BreakerState = CLOSED;
  #opened = 0;
  #probes = 0;

  constructor(policy: BreakerPolicy, options: PostgresCircuitOptions) {
    this.#policy = policy;
    this.#log = options.logger;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  /** True while PostgreSQL must be left alone (open, or half-open with the probe in flight). */
  blocked(): boolean {
    return isBlocked(this.#state);
  }

  /** Milliseconds until the next probe is due. */
  retryInMs(): number {
    return retryInMs(this.#state, this.#now());
  }

  /** Records a failure; ignored unless it is connection-class. Returns whether it counted. */
  failed(error: unknown): boolean {
    if (!isConnectionError(error)) return false;
    const before = this.#state;
    this.#state = recordFailure(before, this.#policy, this.#now(), this.#random());
    if (this.#state.kind === 'open' && before.kind !== 'open') {
      if (before.kind === 'closed') this.#opened++;
      const retryInSeconds = Math.ceil(this.retryInMs() / 1000);
      this.#log[before.kind === 'closed' ? 'warn' : 'info']({ err: error, trips: this.#state.trips, retryInSeconds }, 'PostgreSQL circuit open: leaving the database alone until the next probe');
    }
    return true;
  }

  /**
   * The probe failed, whatever the error: the circuit opens again with a longer cool-down
   * (a half-open breaker must never stay half-open because a probe failed oddly).
   */
  probeFailed(error: unknown): void {
    if (this.#state.kind !== 'half-open') return;
    this.#state = recordFailure(this.#state, this.#policy, this.#now(), this.#random());
    this.#log.info({ err: error, retryInSeconds: Math.ceil(this.retryInMs() / 1000) }, 'PostgreSQL probe failed; the circuit stays open');
  }

  /** Records that PostgreSQL answered. */
  succeeded(): void {
    const before = this.#state;
    this.#state = recordSuccess(before);
    if (before.kind !== 'closed') this.#log.info('PostgreSQL circuit closed: the database answers again');
  }

  /** Claims the one probe of a cool-down; true when the caller should probe now. */
  claimProbe(): boolean {
    const claimed = claimProbe(this.#state, this.#now());
    this.#state = claimed.state;
    if (claimed.allowed) this.#probes++;
    return claimed.allowed;
  }

  /** Why PostgreSQL is not used right now, for `/readyz`, or undefined when closed. */
  reason(): string | undefined {
    if (!this.blocked()) return undefined;
    return `circuit open (retry in ${Math.ceil(this.retryInMs() / 1000)} s)`;
  }

  snapshot(): CircuitSnapshot {
    return { state: this.#state.kind, opened: this.#opened, probes: this.#probes, retryInMs: this.retryInMs() };
  }
}
