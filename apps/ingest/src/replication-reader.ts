import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import type { Logger } from 'pino';
import { formatLsn, libraryAckArgument, parseLsn } from './lsn';

/** What the reader needs. */
export interface ReplicationReaderOptions {
  readonly databaseUrl: string;
  readonly slotName: string;
  readonly publication: string;
  /** Handles one message; the next one waits until the returned promise settles. */
  readonly onMessage: (message: Pgoutput.Message) => void | Promise<void>;
  /** The stream broke (connection lost, server gone, handler threw): the supervisor restarts it. */
  readonly onFatal: (error: Error) => void;
  /** The slot's confirmed position, read once the slot is ours. */
  readonly readConfirmedFlush: () => Promise<bigint | undefined>;
  readonly logger: Logger;
  /** How long to keep retrying while a previous consumer still holds the slot (ms). */
  readonly slotBusyTimeoutMs?: number;
  /** Stops those retries (ingest is shutting down). */
  readonly signal?: AbortSignal;
  /**
   * True when everything handed to `onMessage` is in Redis and confirmed: nothing buffered, no
   * flush in flight, no transaction half-read. A keepalive answered in that state confirms the
   * server's position (see `confirmableKeepalive`). Absent: keepalives never move the slot.
   */
  readonly isDrained?: () => boolean;
  /** Called when a keepalive answer confirmed a position. */
  readonly onConfirmed?: (position: bigint) => void;
  /** Hears the position of each server keepalive: everything before it was sent (metrics). */
  readonly onKeepalive?: (lsn: string) => void;
  /**
   * Sends the last confirmed position this often (ms) whatever else happens. While `onMessage`
   * holds the stream (backpressure) the socket is not read, so keepalives go unanswered; these
   * unsolicited status updates keep the walsender from timing out. Absent: none.
   */
  readonly statusIntervalMs?: number;
}

/** A running logical replication stream. */
export interface ReplicationReader {
  /** Confirms `position` as the slot's `confirmed_flush_lsn`; positions only move forward. */
  acknowledge(position: bigint): void;
  /** The position last confirmed (or found on the slot at start). */
  readonly lastAcked: bigint | undefined;
  stop(): Promise<void>;
}

const SLOT_IN_USE = '55006';
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Streams the slot with pgoutput (protocol 1: only committed transactions, whole). Automatic
 * acknowledgement is off: the library would confirm each message as soon as it is *received*,
 * and its standby-status timer would confirm the last received LSN too, so both are disabled
 * and the caller confirms positions only once their events are in Redis. Server keepalives
 * that ask for a reply get the last confirmed position, which keeps the connection alive
 * without confirming anything new. Flow control is on, so the stream pauses while
 * `onMessage` is pending (backpressure).
 */
export async function startReplicationReader(options: ReplicationReaderOptions): Promise<ReplicationReader> {
  const deadline = Date.now() + (options.slotBusyTimeoutMs ?? 30_000);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if ((error as { code?: string }).code !== SLOT_IN_USE || Date.now() > deadline || options.signal?.aborted) throw error;
      options.logger.info({ attempt }, 'slot still held by a previous consumer; retrying');
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 100 * attempt)));
    }
  }
}

async function startOnce(options: ReplicationReaderOptions): Promise<ReplicationReader> {
  const service = new LogicalReplicationService(
    // A bounded connect: the supervisor retries, and stop() waits for a session start in progress.
    { connectionString: options.databaseUrl, application_name: 'ledgerflow-ingest', connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
    { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: true } },
  );
  let started = false;
  let stopping = false;
  let lastAcked: bigint | undefined;
  const fatal = (error: unknown) => {
    if (!started || stopping) return;
    stopping = true;
    options.onFatal(error instanceof Error ? error : new Error(String(error)));
  };
  service.on('error', fatal);
  service.on('data', (_lsn: string, message: Pgoutput.Message) => options.onMessage(message));
  service.on('heartbeat', (lsn: string, _timestamp: number, shouldRespond: boolean) => {
    options.onKeepalive?.(lsn);
    if (!shouldRespond) return;
    const confirmable = confirmableKeepalive(service, options, lsn, lastAcked);
    if (confirmable !== undefined) {
      lastAcked = confirmable;
      options.onConfirmed?.(confirmable);
    }
    if (lastAcked !== undefined) void service.acknowledge(libraryAckArgument(lastAcked));
  });
  const { running } = await subscribe(service, options);
  started = true;
  const statusTimer = options.statusIntervalMs
    ? setInterval(() => {
        if (!stopping && lastAcked !== undefined) void service.acknowledge(libraryAckArgument(lastAcked));
      }, options.statusIntervalMs)
    : undefined;
  statusTimer?.unref();
  running.then(
    () => fatal(new Error('replication stream ended')),
    (error: unknown) => fatal(error),
  );
  const clearStatusTimer = () => clearInterval(statusTimer);
  running.then(clearStatusTimer, clearStatusTimer);
  const confirmed = await options.readConfirmedFlush();
  if (confirmed !== undefined && (lastAcked === undefined || confirmed > lastAcked)) lastAcked = confirmed;
  options.logger.info({ confirmedFlush: confirmed === undefined ? null : formatLsn(confirmed) }, 'replication started');
  return {
    acknowledge(position) {
      if (lastAcked !== undefined && position <= lastAcked) return;
      lastAcked = position;
      void service.acknowledge(libraryAckArgument(position));
    },
    get lastAcked() {
      return lastAcked;
    },
    async stop() {
      stopping = true;
      clearInterval(statusTimer);
      await service.destroy();
    },
  };
}

/** Starts the stream; resolves once the server has accepted START_REPLICATION. */
async function subscribe(service: LogicalReplicationService, options: ReplicationReaderOptions): Promise<{ running: Promise<unknown> }> {
  const onStart = new Promise<void>((resolve) => service.once('start', () => resolve()));
  const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [options.publication] });
  // Settles only when the stream ends.
  const running = service.subscribe(plugin, options.slotName);
  try {
    await Promise.race([
      onStart,
      running.then(() => {
        throw new Error('replication stream ended before it started');
      }),
    ]);
  } catch (error) {
    await service.destroy().catch(() => undefined);
    throw error;
  }
  // Wrapped: an async function returning the promise itself would wait for the stream to end.
  return { running };
}

/**
 * The keepalive's position, when it may be confirmed; otherwise undefined. A keepalive carries
 * the server's send position, which runs ahead of the last commit we saw whenever WAL that
 * publishes nothing (other tables, checkpoints) follows it. A server shutting down waits until
 * its client confirms exactly that position, and asks again after every answer: answering with
 * the last commit only would keep PostgreSQL from ever completing a fast shutdown. PostgreSQL's
 * own subscribers confirm it when they have nothing pending; so do we. It is safe then: every
 * transaction committed before that position was sent before the keepalive, and all of those
 * are in Redis. The library's flow-control queue must be empty too, because keepalives
 * overtake queued messages; pg-logical-replication 2.5.0 keeps it private, so it is read
 * defensively: if its shape ever changes, keepalives simply stop confirming anything.
 */
function confirmableKeepalive(service: LogicalReplicationService, options: ReplicationReaderOptions, lsn: string, lastAcked: bigint | undefined): bigint | undefined {
  if (lastAcked === undefined || !options.isDrained?.()) return undefined;
  const internals = service as unknown as { _messageQueue?: unknown; _processing?: unknown };
  if (!Array.isArray(internals._messageQueue) || internals._messageQueue.length > 0 || internals._processing !== false) return undefined;
  const position = parseLsn(lsn);
  return position > lastAcked ? position : undefined;
}
