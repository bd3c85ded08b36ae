import type { StoredEvent } from '@ledgerflow/cdc-core';
import type { Logger } from 'pino';
import { guardMs, guardTransaction, type BatchTimeouts } from './batch-timeouts';
import type { BatchOutcome } from './project-batch';
import { projectCommonRound } from './project-round';
import type { WriterConnection } from './writer-connection';

/** One partition batch handed to the rounds. */
export interface RoundRequest {
  readonly partition: number;
  /** Backend pid of the partition's lock connection (the round's write checks the lock). */
  readonly lockPid: number;
  readonly events: readonly StoredEvent[];
  /**
   * Projects the batch on its own, through its partition's lock connection
   * (projectBatchOutcome): for a batch the round cannot take (a parked account, a failing
   * event) and for every batch of a round that failed, so each error reaches its own batch.
   */
  readonly alone: () => Promise<BatchOutcome>;
}

/** What the rounds need. */
export interface WriteRoundsOptions {
  readonly writer: WriterConnection;
  readonly lockNamespace: number;
  readonly timeouts: BatchTimeouts;
  /** A round stops taking batches once it holds this many events. */
  readonly maxRoundEvents: number;
  /**
   * Batches of at least this many events go alone, at once, through their own partition
   * connections: a round saves little on a big batch, and alone they write in parallel (a
   * catch-up), where one writer would take them one round at a time.
   */
  readonly aloneFromEvents: number;
  readonly logger: Logger;
}

interface Pending {
  readonly request: RoundRequest;
  readonly resolve: (outcome: BatchOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Gathers the batches of this process's partition consumers into rounds written through one
 * connection: one read and one write for every batch waiting when a round starts, instead of
 * two statements per partition batch. A round starts as soon as the previous one ends, so
 * batches are never held back; the ones that arrive while a round is in flight make the next.
 * At low rates a flush of ingest touches most partitions at once, so its jobs share one or two
 * rounds; when behind, each round carries every partition's batch (decision 010).
 */
export class WriteRounds {
  readonly #options: WriteRoundsOptions;
  readonly #pending: Pending[] = [];
  #running = false;
  readonly #stats = { rounds: 0, batches: 0, alone: 0 };

  constructor(options: WriteRoundsOptions) {
    this.#options = options;
  }

  /** Rounds run, batches they took, and batches that went alone (big ones, or a round's that had to), so far. */
  stats(): { readonly rounds: number; readonly batches: number; readonly alone: number } {
    return { ...this.#stats };
  }

  /** Projects one partition batch, in the next round (or alone, when it is big). */
  project(request: RoundRequest): Promise<BatchOutcome> {
    if (request.events.length >= this.#options.aloneFromEvents) {
      this.#stats.alone++;
      return request.alone();
    }
    return new Promise((resolve, reject) => {
      this.#pending.push({ request, resolve, reject });
      if (!this.#running) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#pending.length > 0) await this.#round(this.#take());
    } finally {
      this.#running = false;
    }
  }

  /** The batches of the next round, oldest first, up to maxRoundEvents (at least one). */
  #take(): Pending[] {
    let events = 0;
    let n = 0;
    while (n < this.#pending.length && (n === 0 || events + this.#pending[n]!.request.events.length <= this.#options.maxRoundEvents)) {
      events += this.#pending[n]!.request.events.length;
      n++;
    }
    return this.#pending.splice(0, n);
  }

  async #round(round: Pending[]): Promise<void> {
    const { writer, lockNamespace, timeouts, logger } = this.#options;
    this.#stats.rounds++;
    this.#stats.batches += round.length;
    let outcomes: (BatchOutcome | undefined)[];
    try {
      const db = await writer.db();
      const batches = round.map((p) => ({ partition: p.request.partition, lockPid: p.request.lockPid, events: p.request.events }));
      outcomes = await guardTransaction(projectCommonRound(db, batches, { lockNamespace, timeouts }), guardMs(timeouts), () => writer.abandon());
    } catch (err) {
      // Nothing of the round was written; each batch goes again on its own, so that an error
      // (a lost lock, a bad row, a server down) reaches the batch it belongs to.
      logger.debug({ err, batches: round.length }, 'write round failed; projecting its batches one by one');
      outcomes = round.map(() => undefined);
    }
    round.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome) p.resolve(outcome);
      // Not awaited: these run on their own partitions' connections, and the next round need not wait.
      else {
        this.#stats.alone++;
        p.request.alone().then(p.resolve, p.reject);
      }
    });
  }
}
