import { ApiError } from '../errors';

/**
 * Where a page of transactions ends: the last row's `occurred_at` (at the microsecond
 * precision PostgreSQL keeps, so no row is skipped or repeated) and its `position`, which
 * breaks ties between events of one transaction.
 */
export interface TransactionCursor {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ`, UTC. */
  readonly occurredAt: string;
  /** A global position as a decimal string. */
  readonly position: string;
}

const OCCURRED_AT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/;
const POSITION = /^[1-9][0-9]{0,18}$/;
const INT8_MAX = 9_223_372_036_854_775_807n;

/** Encodes a cursor as opaque base64url text. */
export function encodeCursor(cursor: TransactionCursor): string {
  return Buffer.from(JSON.stringify({ t: cursor.occurredAt, p: cursor.position }), 'utf8').toString('base64url');
}

/** Decodes a cursor from `encodeCursor`; anything else is a 400 VALIDATION_FAILED on `cursor`. */
export function decodeCursor(text: string): TransactionCursor {
  const invalid = () => new ApiError('VALIDATION_FAILED', 'cursor is not a cursor this API issued', { field: 'cursor' });
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(text)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof value !== 'object' || value === null) throw invalid();
  const { t, p } = value as Record<string, unknown>;
  if (typeof t !== 'string' || !isRealTimestamp(t)) throw invalid();
  if (typeof p !== 'string' || !POSITION.test(p) || BigInt(p) > INT8_MAX) throw invalid();
  return { occurredAt: t, position: p };
}

/** Rejects well-formed but impossible instants (month 13, 31 February) before PostgreSQL does. */
function isRealTimestamp(text: string): boolean {
  const m = OCCURRED_AT.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return (
    year >= 1 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second
  );
}
