import type { StoredEvent } from '@ledgerflow/cdc-core';
import { FailureTracker, createInstruments, type GaugeSources, type Instruments } from '@ledgerflow/metrics';
import type { BatchOutcome } from '../project-batch';
import { failureCode } from './failure-code';
import { PartitionHeads, lagSecondsOf } from './partition-heads';

/** One committed batch, as its partition consumer saw it. */
export interface CommittedBatch {
  readonly partition: number;
  /** Events delivered in the batch's jobs (applied, duplicate, failed or held). */
  readonly events: number;
  readonly outcome: BatchOutcome;
  /** Transaction time, from BEGIN to COMMIT (s). */
  readonly durationSeconds: number;
  /** When the transaction committed (ms since the epoch). */
  readonly committedAtMs: number;
}

/**
 * Everything the projector measures. Partition consumers report here as they work; counters
 * and histograms go to the OpenTelemetry instruments, gauges are kept as last values and read
 * at scrape time (`gaugeSources`, for registerGauges). Without a started SDK every instrument
 * is a no-op, so the projector runs the same with or without telemetry.
 *
 * The applied and checkpointed rungs of the lag ladder move together here, by design: the
 * read-model rows and the partition checkpoint commit in ONE transaction. They differ only
 * after a partition is acquired, when the checkpoint (written by an earlier owner) is known
 * before this process applied anything.
 */
export class ProjectorMetrics {
  /** Failures in a row and the last error time, per partition. */
  readonly failures = new FailureTracker();
  readonly #instruments: Instruments;
  readonly #applied = new PartitionHeads();
  readonly #checkpointed = new PartitionHeads();
  /** Partitions whose failure streak includes a rolled-back batch: only a commit ends those. */
  readonly #batchStreaks = new Set<number>();
  /** The current ownership of each partition this process owns (see acquired). */
  readonly #owners = new Map<number, object>();
  #parkedAccounts: number | undefined;

  /** @param instruments default: createInstruments(), the global meter's (no-ops without an SDK) */
  constructor(instruments: Instruments = createInstruments()) {
    this.#instruments = instruments;
  }

  /** The gauges the projector knows, for registerGauges. */
  gaugeSources(): GaugeSources {
    return {
      appliedPosition: () => this.#applied.positions(),
      appliedLag: () => this.#applied.lags(),
      checkpointedPosition: () => this.#checkpointed.positions(),
      checkpointedLag: () => this.#checkpointed.lags(),
      // Fleet-wide (every member reads the same table): aggregate with max(), not sum().
      parkedAccounts: () => (this.#parkedAccounts === undefined ? [] : [{ value: this.#parkedAccounts }]),
      consecutiveFailures: this.failures.consecutive,
      lastErrorTime: this.failures.lastError,
    };
  }

  /**
   * This process now owns `partition`, whose checkpoint PostgreSQL holds at `checkpoint`.
   * Returns the release to call when this ownership ends: the partition's gauges are then no
   * longer reported (although the SDK keeps exporting their last values, see registerGauges:
   * take `max by (partition)` across members). A release that comes after the partition was
   * acquired again (a dropped partition drains while its successor starts) changes nothing.
   */
  acquired(partition: number, checkpoint: bigint | undefined): () => void {
    const ownership = {};
    this.#owners.set(partition, ownership);
    this.#applied.forget(partition);
    this.#checkpointed.forget(partition);
    if (checkpoint !== undefined) this.#checkpointed.advance(partition, checkpoint);
    return () => {
      if (this.#owners.get(partition) !== ownership) return;
      this.#owners.delete(partition);
      this.#applied.forget(partition);
      this.#checkpointed.forget(partition);
    };
  }

  /** A batch transaction committed. */
  committed(batch: CommittedBatch): void {
    const { partition, outcome } = batch;
    const attributes = { partition };
    this.#count(batch, attributes);
    let newest: StoredEvent | undefined;
    const lagHistogram = this.#instruments.commitToProjectionLag;
    for (const event of outcome.applied) {
      const lag = lagSecondsOf(event, batch.committedAtMs);
      if (lag !== undefined) lagHistogram.record(lag, attributes);
      if (!newest || event.position > newest.position) newest = event;
    }
    if (newest) {
      const lag = lagSecondsOf(newest, batch.committedAtMs);
      this.#applied.advance(partition, newest.position, lag);
      this.#checkpointed.advance(partition, newest.position, lag);
    }
    this.#batchStreaks.delete(partition);
    this.failures.succeeded(attributes);
  }

  /** A batch transaction rolled back (its jobs go back to BullMQ). */
  rolledBack(partition: number, error: unknown): void {
    const code = failureCode(error);
    this.#instruments.batchFailures.add(1, { partition, code });
    this.#instruments.projectionErrors.add(1, { code });
    this.#batchStreaks.add(partition);
    this.failures.failed(code, { partition });
  }

  /** Taking jobs from the partition queue failed (Redis unreachable …). */
  fetchFailed(partition: number, error: unknown): void {
    // Whatever ioredis or BullMQ throws here, the loop retries it: transient unless ours says otherwise.
    this.failures.failed(failureCode(error, 'TRANSIENT_FAILURE'), { partition });
  }

  /** Taking jobs worked: ends a streak of fetch failures (a rolled-back batch needs a commit). */
  fetched(partition: number): void {
    if (!this.#batchStreaks.has(partition)) this.failures.succeeded({ partition });
  }

  /** Accounts parked fleet-wide, as the dead-letter store counts them. */
  parked(accounts: number): void {
    this.#parkedAccounts = accounts;
  }

  #count(batch: CommittedBatch, attributes: { partition: number }): void {
    const i = this.#instruments;
    const { stats, failureCodes } = batch.outcome;
    i.batches.add(1, attributes);
    i.eventsProcessed.add(batch.events, attributes);
    i.eventsApplied.add(stats.applied, attributes);
    i.eventsDuplicate.add(stats.duplicates, attributes);
    i.eventsRepaired.add(stats.repaired, attributes);
    for (const code of failureCodes) i.eventsFailed.add(1, { ...attributes, code });
    if (stats.applied > 0) i.projectionBatchUpdates.add(1, attributes);
    i.batchDuration.record(batch.durationSeconds, attributes);
    i.batchEvents.record(batch.events, attributes);
  }
}
