import { performance } from 'node:perf_hooks';
import type { LedgerDatabase } from '@ledgerflow/sinks';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { PostgresCircuit } from '../circuit/postgres-circuit';
import { shouldLogFailure } from './fleet-rules';
import { writeHeartbeat, type MemberIdentity } from './fleet-store';
import { NO_HEARTBEAT, mayReapOthers, recordBeat, type HeartbeatHealth } from './heartbeat-health';
import { Ticker } from './ticker';

/** What the heartbeat needs. */
export interface HeartbeatOptions {
  readonly db: Kysely<LedgerDatabase>;
  /** While it is open, beats are skipped (counted as missed) instead of sent. */
  readonly circuit: PostgresCircuit;
  readonly identity: MemberIdentity;
  readonly intervalMs: number;
  readonly memberTimeoutMs: number;
  /** The partitions owned right now (written into the row, for people and tools). */
  readonly partitions: () => number[];
  readonly logger: Logger;
}

/**
 * Writes this member's heartbeat every `intervalMs` on its own loop, so a slow rebalancing
 * step (draining a partition) never makes the member look dead, and tracks its own health.
 */
export class Heartbeat {
  readonly #options: HeartbeatOptions;
  readonly #ticker: Ticker;
  readonly #maxGapMs: number;
  #health: HeartbeatHealth = NO_HEARTBEAT;
  #failures = 0;

  constructor(options: HeartbeatOptions) {
    this.#options = options;
    // A run of beats is broken by a gap of more than three periods (a stall of ours).
    this.#maxGapMs = Math.min(3 * options.intervalMs, options.memberTimeoutMs);
    this.#ticker = new Ticker(async () => {
      await this.beat();
      return options.intervalMs;
    });
  }

  /** Starts beating on a timer (the first beat after `firstDelayMs`). */
  start(firstDelayMs = 0): void {
    this.#ticker.start(firstDelayMs);
  }

  /** Stops beating, after the beat in hand. */
  stop(): Promise<void> {
    return this.#ticker.stop();
  }

  /** One beat; never throws. True when it was written. */
  async beat(): Promise<boolean> {
    const { db, circuit, identity, partitions, logger } = this.#options;
    if (circuit.blocked()) {
      // PostgreSQL is down as far as this process knows: a missed beat, without a connection attempt.
      this.#health = recordBeat(this.#health, performance.now(), false, this.#maxGapMs);
      return false;
    }
    let ok = true;
    try {
      await writeHeartbeat(db, identity, partitions());
      circuit.succeeded();
    } catch (err) {
      ok = false;
      circuit.failed(err);
      this.#failures++;
      if (shouldLogFailure(this.#failures)) logger.warn({ err, failures: this.#failures }, 'could not write the fleet heartbeat; retrying');
    }
    if (ok && this.#failures > 0) {
      logger.info({ failures: this.#failures }, 'fleet heartbeat written again');
      this.#failures = 0;
    }
    this.#health = recordBeat(this.#health, performance.now(), ok, this.#maxGapMs);
    return ok;
  }

  /** True when this member may fence others off (see heartbeat-health). */
  mayReapOthers(): boolean {
    return mayReapOthers(this.#health, performance.now(), this.#options.memberTimeoutMs, this.#maxGapMs);
  }
}
