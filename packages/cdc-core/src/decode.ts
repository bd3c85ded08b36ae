import { LedgerflowError } from './errors';
import { isUuid } from './ledger-events';
import type { StoredEvent } from './stored-event';

/** Largest value of a PostgreSQL bigint. */
const INT8_MAX = 9_223_372_036_854_775_807n;

/**
 * What PostgreSQL prints for a timestamptz (`2024-01-02 03:04:05.123456+00`) or an ISO string.
 * An explicit offset is required: without one `Date` would read the text in local time.
 */
const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * Decodes one `events` row — from a pgoutput insert tuple or from a plain SELECT — into a
 * StoredEvent. Accepts the shapes either source produces (bigint as text or bigint, jsonb as
 * text or parsed, timestamps as text or Date) and rejects anything structurally broken with
 * `CDC_DECODE_FAILED`: such a row cannot be routed, so it must never be skipped silently.
 */
export function decodeEventRow(row: Readonly<Record<string, unknown>>, committedAtMs?: number): StoredEvent {
  const position = toBigint(row['global_position']);
  const eventId = toUuid(row['event_id']);
  const streamId = toUuid(row['stream_id']);
  const version = toVersion(row['version']);
  const type = toText(row['type']);
  const createdAt = toTimestamp(row['created_at']);
  // data is NOT NULL in the schema: its absence means a broken source, not an empty payload.
  const data = row['data'] === undefined || row['data'] === null ? undefined : toJsonText(row['data']);
  if (position === undefined || eventId === undefined || streamId === undefined || version === undefined || type === undefined || createdAt === undefined || data === undefined) {
    throw new LedgerflowError('CDC_DECODE_FAILED', 'events row is missing or has malformed global_position, event_id, stream_id, version, type, data or created_at', {
      details: { columns: Object.keys(row), eventId: typeof row['event_id'] === 'string' ? row['event_id'] : undefined },
    });
  }
  const event: StoredEvent = {
    position,
    eventId,
    streamId,
    version,
    type,
    data,
    metadata: toJsonText(row['metadata'] ?? {}),
    createdAt,
    ...(committedAtMs === undefined ? {} : { committedAtMs }),
  };
  return event;
}

/** A global position: an identity value, so 1 … 2^63-1. */
function toBigint(value: unknown): bigint | undefined {
  let n: bigint | undefined;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && /^[0-9]{1,19}$/.test(value)) n = BigInt(value);
  return n !== undefined && n >= 1n && n <= INT8_MAX ? n : undefined;
}

function toVersion(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^[0-9]{1,10}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 2_147_483_647 ? n : undefined;
}

function toText(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** uuid columns: lower-cased so ids compare equal whatever the source printed. */
function toUuid(value: unknown): string | undefined {
  return isUuid(value) ? value.toLowerCase() : undefined;
}

function toTimestamp(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  // `new Date` also accepts "1" or "2024" (and reads offset-less text as local time).
  if (typeof value === 'string' && TIMESTAMP_TEXT.test(value)) {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  }
  return undefined;
}

/** jsonb arrives as text from pgoutput with raw parsers, or parsed from node-postgres. */
function toJsonText(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value === undefined ? null : value);
}

/** Converts a pgoutput commit time (µs since the Unix epoch) to ms. */
export function commitTimeToMs(commitTimeMicros: bigint): number {
  return Number(commitTimeMicros / 1000n);
}
