import type { Pgoutput } from 'pg-logical-replication';
import type { Logger } from 'pino';
import { ChangeRouter } from './change-router';
import type { IngestCounters } from './counters';
import type { FlushPolicy } from './flush-policy';
import { Flusher } from './flusher';
import type { IngestMetrics } from './ingest-metrics';
import { formatLsn } from './lsn';
import type { EventPublisher } from './publisher';
import type { Gate } from './queue-gate';
import { startReplicationReader, type ReplicationReader } from './replication-reader';
import { TransactionBuffer } from './transaction-buffer';

/** What the streaming stage needs. */
export interface StreamDeps {
  readonly databaseUrl: string;
  readonly slotName: string;
  readonly publication: string;
  readonly policy: FlushPolicy;
  readonly publisher: EventPublisher;
  readonly counters: IngestCounters;
  readonly metrics: IngestMetrics;
  readonly logger: Logger;
  readonly readConfirmedFlush: () => Promise<bigint | undefined>;
  /** Called once when streaming cannot go on (the supervisor then aborts and restarts). */
  readonly onFatal: (error: Error) => void;
  /** Aborts start-up (waiting for a slot another consumer still holds). */
  readonly signal?: AbortSignal;
  /** Backpressure: while it is paused, no further message is taken (queue-gate.ts). */
  readonly gate?: Gate;
  /** Unsolicited standby status updates this often (ms); see ReplicationReaderOptions. */
  readonly statusIntervalMs?: number;
  /** Test hook: never confirm positions, as if the process died right before each ack. */
  readonly suppressAcks?: boolean;
}

/** A running slot → buffer → queue pipeline. */
export interface Stream {
  /** Graceful: stop taking messages, flush and confirm whole transactions, close the stream. */
  stop(): Promise<void>;
  /**
   * After a failure: stop taking messages, wait for the flush in flight (it may still confirm
   * its own position), close the stream; what is left in memory is replayed by the slot.
   */
  abort(): Promise<void>;
}

/** Starts streaming the slot into the partition queues. */
export async function startStream(deps: StreamDeps): Promise<Stream> {
  const { counters, metrics, logger } = deps;
  const now = () => performance.now();
  const buffer = new TransactionBuffer();
  // Flushes may confirm before the reader has finished starting; they leave the position here.
  const link: { reader?: ReplicationReader } = {};
  let unsentAck: bigint | undefined;
  let accepting = true;
  // Settles when the stream closes, so a message held by backpressure does not outlive it.
  let closing: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (closing = resolve));
  const fail = (error: unknown) => {
    if (!accepting) return;
    accepting = false;
    deps.onFatal(error instanceof Error ? error : new Error(String(error)));
  };
  const acknowledge = (position: bigint) => {
    if (deps.suppressAcks) return;
    if (link.reader) link.reader.acknowledge(position);
    else unsentAck = position;
    counters.lastAckedLsn = formatLsn(position);
    metrics.walConfirmed(position);
  };
  const router = new ChangeRouter(
    buffer,
    counters,
    (change) => logger.warn({ ...change, nonInsertChanges: counters.nonInsertChanges }, 'ignored a non-insert change to events: the event store is append-only'),
    metrics,
  );
  const flusher = createFlusher(deps, buffer, now, acknowledge, fail);
  const onMessage = (message: Pgoutput.Message): Promise<void> | undefined => {
    if (!accepting) return undefined;
    try {
      router.apply(message, now());
    } catch (error) {
      metrics.decodeFailed(error);
      fail(error);
      return undefined;
    }
    flusher.kick();
    // Awaiting here holds the library's queue, which keeps the socket paused.
    if (buffer.size >= deps.policy.maxPendingEvents) return flusher.waitForRoom();
    // Queues too deep: hold the next message. What is buffered still flushes (bounded by
    // maxPendingEvents), nothing unread is confirmed, and the reader's status updates keep the
    // walsender from timing out meanwhile.
    if (deps.gate?.paused) return Promise.race([deps.gate.waitUntilOpen(), closed]);
    return undefined;
  };
  // Nothing read is waiting for Redis or for its confirmation (replication-reader.ts uses it to
  // confirm the server's position on keepalives, which a server shutting down waits for).
  const isDrained = () => accepting && !deps.suppressAcks && buffer.size === 0 && buffer.state().readySinceMs === undefined && !router.inTransaction && flusher.idle;
  const onConfirmed = (position: bigint) => {
    counters.lastAckedLsn = formatLsn(position);
    metrics.walConfirmed(position);
  };
  const onKeepalive = (lsn: string) => metrics.walKeepalive(lsn);
  const started = await startReplicationReader({ ...deps, onMessage, onFatal: fail, isDrained, onConfirmed, onKeepalive });
  link.reader = started;
  if (started.lastAcked !== undefined) metrics.walConfirmed(started.lastAcked);
  if (unsentAck !== undefined) started.acknowledge(unsentAck);
  const close = async (graceful: boolean) => {
    accepting = false;
    closing();
    await (graceful ? flusher.drain() : flusher.close());
    await started.stop();
  };
  return { stop: () => close(true), abort: () => close(false) };
}

/** The stream's flusher: publishes whole transactions and counts what Redis accepted. */
function createFlusher(deps: StreamDeps, buffer: TransactionBuffer, now: () => number, acknowledge: (position: bigint) => void, onFailure: (error: unknown) => void): Flusher {
  const { counters, metrics, publisher, policy } = deps;
  return new Flusher({
    buffer,
    policy,
    now,
    publish: async (events) => {
      metrics.flushReads();
      const result = await publisher.publish(events);
      counters.jobsAdded += result.jobs;
      counters.eventsEnqueued += result.events;
      return result.jobs;
    },
    acknowledge,
    onFailure,
  });
}
