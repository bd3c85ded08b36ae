import { LedgerflowError } from './errors';
import type { PartitionBatch } from './batching';
import type { StoredEvent } from './stored-event';

/** Version of the job payload layout; a projector refuses layouts it does not know. */
export const JOB_PAYLOAD_VERSION = 1;

/** One event as a positional tuple: compact on the wire, cheap to build and to read. */
type EventTuple = [string, string, string, number, string, string, string, string, number | null];

/** The data of one queue job: an ordered batch of one partition's events. */
export interface EventJobData {
  readonly v: number;
  readonly partition: number;
  /** When ingest enqueued the batch (ms since the epoch). */
  readonly enqueuedAtMs: number;
  readonly events: EventTuple[];
}

/** Builds the job payload of a batch. */
export function encodeBatch(batch: PartitionBatch, enqueuedAtMs: number): EventJobData {
  return {
    v: JOB_PAYLOAD_VERSION,
    partition: batch.partition,
    enqueuedAtMs,
    events: batch.events.map((e) => [
      e.position.toString(),
      e.eventId,
      e.streamId,
      e.version,
      e.type,
      e.data,
      e.metadata,
      e.createdAt,
      e.committedAtMs ?? null,
    ]),
  };
}

/**
 * Reads a job payload back into events. A payload that is not what `encodeBatch` writes throws
 * `JOB_PAYLOAD_INVALID` (non-retryable): the events it should hold are still in the event
 * store, and gap repair will read them from there.
 */
export function decodeBatch(data: unknown): { partition: number; enqueuedAtMs: number; events: StoredEvent[] } {
  const d = (typeof data === 'object' && data !== null ? data : {}) as Partial<EventJobData>;
  if (d.v !== JOB_PAYLOAD_VERSION || !Array.isArray(d.events) || !isNonNegativeInteger(d.partition) || !Number.isFinite(d.enqueuedAtMs)) {
    throw new LedgerflowError('JOB_PAYLOAD_INVALID', `job payload is not a v${JOB_PAYLOAD_VERSION} event batch`);
  }
  const events = d.events.map((t: unknown, i) => {
    if (!isEventTuple(t)) throw new LedgerflowError('JOB_PAYLOAD_INVALID', `job payload event ${i} is malformed`);
    const [position, eventId, streamId, version, type, payload, metadata, createdAt, committedAtMs] = t;
    const event: StoredEvent = {
      position: BigInt(position),
      eventId,
      streamId,
      version,
      type,
      data: payload,
      metadata,
      createdAt,
      ...(committedAtMs === null ? {} : { committedAtMs }),
    };
    return event;
  });
  return { partition: d.partition as number, enqueuedAtMs: d.enqueuedAtMs as number, events };
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Checks every slot, so a bad payload fails here with its code, not later as a TypeError. */
function isEventTuple(t: unknown): t is EventTuple {
  if (!Array.isArray(t) || t.length !== 9) return false;
  const [position, eventId, streamId, version, type, payload, metadata, createdAt, committedAtMs] = t as unknown[];
  return (
    typeof position === 'string' &&
    /^[0-9]{1,19}$/.test(position) &&
    [eventId, streamId, type, payload, metadata, createdAt].every((s) => typeof s === 'string') &&
    typeof version === 'number' &&
    Number.isInteger(version) &&
    version >= 1 &&
    (committedAtMs === null || Number.isFinite(committedAtMs))
  );
}

/** The BullMQ queue name of a partition. */
export function partitionQueueName(partition: number): string {
  return `p${partition}`;
}
