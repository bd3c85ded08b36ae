import { partitionOf, type StoredEvent } from '@ledgerflow/cdc-core';
import { FailureTracker, LastValues, createInstruments, reasonOf, type GaugeReading, type GaugeSources, type Instruments } from '@ledgerflow/metrics';
import { failureCode } from './failure-code';
import { LagRung, type RungReading } from './lag-rung';
import { parseLsn } from './lsn';
import type { WalStats } from './ops-stats';

/** Why a refill ran: Redis lost its keys, or PostgreSQL crashed. */
export type RefillCause = 'redis_loss' | 'postgres_crash';

/** What IngestMetrics needs. */
export interface IngestMetricsOptions {
  /** Number of partitions (to label reads by partition). */
  readonly partitions: number;
  /** @defaultValue createInstruments(): the global meter's, no-ops when no SDK was started */
  readonly instruments?: Instruments;
  /** Wall clock (ms since the epoch). */
  readonly now?: () => number;
}

const single = (value: bigint | undefined): GaugeReading[] => (value === undefined ? [] : [{ value }]);
const positions = (readings: RungReading[]): GaugeReading[] => readings.map((r) => ({ value: r.position, attributes: { partition: r.partition } }));
const lags = (readings: RungReading[]): GaugeReading[] => readings.map((r) => ({ value: r.lagSeconds, attributes: { partition: r.partition } }));

/**
 * Everything ingest measures, and whether a session is streaming (for `/readyz`). The parts of
 * ingest report here as they work; counters go to the OpenTelemetry instruments, gauges are
 * kept as last values and read at scrape time (`gaugeSources`, for registerGauges). Without a
 * started SDK every instrument is a no-op, so ingest runs the same with or without telemetry.
 *
 * The hot path (`read`, per event) does no OpenTelemetry work: reads are tallied per partition
 * and handed to the counter by `flushReads` (once per flush, catch-up page and poll).
 */
export class IngestMetrics {
  readonly failures = new FailureTracker();
  readonly #instruments: Instruments;
  #partitions: number;
  readonly #now: () => number;
  readonly #read = new LagRung();
  readonly #enqueued = new LagRung();
  #pendingReads: number[];
  readonly #queueDepth = new LastValues();
  #walRead: bigint | undefined;
  #walConfirmed: bigint | undefined;
  #wal: WalStats | undefined;
  #streaming = false;
  #paused = false;
  #lastFailure: string | undefined;

  constructor(options: IngestMetricsOptions) {
    this.#partitions = options.partitions;
    this.#instruments = options.instruments ?? createInstruments();
    this.#now = options.now ?? Date.now;
    this.#pendingReads = new Array<number>(options.partitions).fill(0);
  }

  /** The partition count agreed with the database, known only once it answered (agreeOnPartitions): before the first read. */
  usePartitions(partitions: number): void {
    if (partitions === this.#partitions) return;
    this.flushReads();
    this.#partitions = partitions;
    this.#pendingReads = new Array<number>(partitions).fill(0);
  }

  /** An event was decoded (from the slot or a catch-up page). */
  read(event: StoredEvent): void {
    const partition = partitionOf(event.streamId, this.#partitions);
    this.#pendingReads[partition]!++;
    this.#read.advance(partition, event, this.#now());
  }

  /** Adds the reads tallied since the last call to the `eventsRead` counter. */
  flushReads(): void {
    for (let partition = 0; partition < this.#partitions; partition++) {
      const count = this.#pendingReads[partition]!;
      if (count === 0) continue;
      this.#pendingReads[partition] = 0;
      this.#instruments.eventsRead.add(count, { partition });
    }
  }

  /** A refill of the unapplied events ran to the end (redis-guard.ts, crash-repair.ts). */
  refilled(cause: RefillCause): void {
    this.#instruments.ingestRefills.add(1, { cause });
  }

  /** A change could not be decoded or routed (the session restarts and the slot sends it again). */
  decodeFailed(error: unknown): void {
    this.#instruments.ingestEventsFailed.add(1, { code: failureCode(error) });
  }

  /** A commit was read from the slot: WAL up to `endPosition` has been received. */
  walRead(endPosition: bigint): void {
    if (this.#walRead === undefined || endPosition > this.#walRead) this.#walRead = endPosition;
  }

  /**
   * A server keepalive said everything up to `lsn` (`pg_lsn` text) was sent. Keepalives may
   * overtake messages still queued for handling, so the read position is the highest of both.
   */
  walKeepalive(lsn: string): void {
    this.walRead(parseLsn(lsn));
  }

  /**
   * The slot's confirmed position moved (or was found at start) at `position`. Whatever is
   * confirmed was read, by this session or an earlier one, so the read position is raised to it
   * too: the ladder keeps head ≥ read ≥ confirmed.
   */
  walConfirmed(position: bigint): void {
    if (this.#walConfirmed === undefined || position > this.#walConfirmed) this.#walConfirmed = position;
    this.walRead(position);
  }

  /** Redis accepted `jobs` jobs holding `events` (in source order) of `partition`. */
  enqueued(partition: number, events: readonly StoredEvent[], jobs: number): void {
    const atMs = this.#now();
    this.#instruments.jobsEnqueued.add(jobs, { partition });
    this.#instruments.eventsEnqueued.add(events.length, { partition });
    let newest: StoredEvent | undefined;
    for (const event of events) if (!newest || event.position > newest.position) newest = event;
    if (newest) this.#enqueued.advance(partition, newest, atMs);
  }

  /** One flush (every partition's jobs, one Redis transaction) took `seconds`. */
  enqueueTook(seconds: number): void {
    this.#instruments.enqueueDuration.record(seconds);
  }

  /** The latest WAL head and slot retention (polled). */
  walStats(stats: WalStats): void {
    this.#wal = stats;
  }

  /** The backlog of a partition queue (polled). */
  queueDepth(partition: number, depth: number): void {
    this.#queueDepth.set(depth, { partition });
  }

  /** Backpressure paused (true) or resumed (false) reading (queue-gate.ts). */
  backpressure(paused: boolean): void {
    this.#paused = paused;
  }

  /** A session streams: the failure streak ends. */
  sessionStreaming(): void {
    this.#streaming = true;
    this.failures.succeeded();
  }

  /** The session ended (failure or stop). */
  sessionEnded(): void {
    this.#streaming = false;
  }

  /** A session failed (it is retried, or ingest gives up). */
  sessionFailed(error: unknown): void {
    this.#streaming = false;
    this.#lastFailure = reasonOf(failureCode(error), error);
    this.failures.failed(failureCode(error), {}, this.#now());
  }

  /** True while a session streams the slot. */
  get streaming(): boolean {
    return this.#streaming;
  }

  /** `<code>: <message>` of the last session failure, if any. */
  get lastFailure(): string | undefined {
    return this.#lastFailure;
  }

  /** The highest position read / enqueued for a partition (tests, logs). */
  positions(partition: number): { read: bigint | undefined; enqueued: bigint | undefined } {
    return { read: this.#read.position(partition), enqueued: this.#enqueued.position(partition) };
  }

  /** The gauges ingest knows, for registerGauges. */
  gaugeSources(): GaugeSources {
    return {
      walHeadPosition: () => single(this.#wal?.headBytes),
      walReadPosition: () => single(this.#walRead),
      walConfirmedPosition: () => single(this.#walConfirmed),
      slotRetainedWal: () => single(this.#wal?.retainedBytes),
      readPosition: () => positions(this.#read.readings()),
      readLag: () => lags(this.#read.readings()),
      enqueuedPosition: () => positions(this.#enqueued.readings()),
      enqueuedLag: () => lags(this.#enqueued.readings()),
      queueDepth: this.#queueDepth.source,
      ingestPaused: () => [{ value: this.#paused ? 1 : 0 }],
      consecutiveFailures: this.failures.consecutive,
      lastErrorTime: this.failures.lastError,
    };
  }
}
