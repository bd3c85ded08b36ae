import { LedgerflowError } from './errors';
import type { StoredEvent } from './stored-event';

/**
 * Decodes one `events` row — from a pgoutput insert tuple or from a plain SELECT — into a
 * StoredEvent. Accepts the shapes either source produces (bigint as text or bigint, jsonb as
 * text or parsed, timestamps as text or Date) and rejects anything structurally broken with
 * `CDC_DECODE_FAILED`: such a row cannot be routed, so it must never be skipped silently.
 */
export function decodeEventRow(row: Readonly<Record<string, unknown>>, committedAtMs?: number): StoredEvent {
  const position = toBigint(row['global_position']);
  const eventId = toText(row['event_id']);
  const streamId = toText(row['stream_id']);
  const version = toVersion(row['version']);
  const type = toText(row['type']);
  const createdAt = toTimestamp(row['created_at']);
  if (position === undefined || eventId === undefined || streamId === undefined || version === undefined || type === undefined || createdAt === undefined) {
    throw new LedgerflowError('CDC_DECODE_FAILED', 'events row is missing or has malformed global_position, event_id, stream_id, version, type or created_at', {
      details: { columns: Object.keys(row), eventId: typeof row['event_id'] === 'string' ? row['event_id'] : undefined },
    });
  }
  const event: StoredEvent = {
    position,
    eventId,
    streamId: streamId.toLowerCase(),
    version,
    type,
    data: toJsonText(row['data']),
    metadata: toJsonText(row['metadata'] ?? {}),
    createdAt,
    ...(committedAtMs === undefined ? {} : { committedAtMs }),
  };
  return event;
}

function toBigint(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^[0-9]{1,19}$/.test(value)) return BigInt(value);
  return undefined;
}

function toVersion(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^[0-9]{1,10}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 2_147_483_647 ? n : undefined;
}

function toText(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function toTimestamp(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (typeof value === 'string') {
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
