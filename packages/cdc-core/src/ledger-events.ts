import { isLedgerflowError, poison } from './errors';
import { formatMoney, parseMoney, type Minor } from './money';
import type { StoredEvent } from './stored-event';

/** The event types of the ledger (DESIGN §3). */
export const EVENT_TYPES = ['AccountCreated', 'MoneyDeposited', 'MoneyWithdrawn', 'AccountClosed'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface AccountCreated {
  readonly type: 'AccountCreated';
  readonly accountId: string;
  readonly ownerName: string;
  readonly initialBalance: Minor;
}
export interface MoneyDeposited {
  readonly type: 'MoneyDeposited';
  readonly accountId: string;
  readonly amount: Minor;
  readonly transactionId: string;
  readonly transferId?: string;
}
export interface MoneyWithdrawn {
  readonly type: 'MoneyWithdrawn';
  readonly accountId: string;
  readonly amount: Minor;
  readonly transactionId: string;
  readonly transferId?: string;
}
export interface AccountClosed {
  readonly type: 'AccountClosed';
  readonly accountId: string;
  readonly reason: string;
}
export type LedgerEvent = AccountCreated | MoneyDeposited | MoneyWithdrawn | AccountClosed;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a canonical UUID string. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * Turns a stored event into a typed ledger event, checking every field. Whatever is wrong —
 * JSON that does not parse, an unknown type, a missing field, a malformed, negative or
 * fractional-cent amount, an accountId that is not the stream — throws a non-retryable error
 * with a stable code, so the projector can park the account instead of guessing (G5).
 */
export function parseLedgerEvent(event: StoredEvent): LedgerEvent {
  const ctx = { eventId: event.eventId, streamId: event.streamId, version: event.version, type: event.type };
  // The type decides how to read the data, so an unknown type is reported as such whatever the data holds.
  if (!isEventType(event.type)) throw poison('EVENT_TYPE_UNKNOWN', `event ${event.eventId}: unknown type ${JSON.stringify(event.type)}`, ctx);
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch (cause) {
    throw poison('EVENT_DATA_INVALID', `event ${event.eventId}: data is not JSON`, ctx, cause);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw poison('EVENT_DATA_INVALID', `event ${event.eventId}: data must be a JSON object`, ctx);
  }
  const d = data as Record<string, unknown>;
  const accountId = requireUuid(d, 'accountId', ctx);
  if (accountId.toLowerCase() !== event.streamId.toLowerCase()) {
    throw poison('EVENT_DATA_INVALID', `event ${event.eventId}: data.accountId does not match stream_id`, ctx);
  }
  const type: EventType = event.type;
  switch (type) {
    case 'AccountCreated': {
      const initialBalance = requireMoney(d, 'initialBalance', ctx);
      if (initialBalance < 0n) throw poison('EVENT_DATA_INVALID', `event ${event.eventId}: initialBalance must be ≥ 0`, ctx);
      return { type: 'AccountCreated', accountId, ownerName: requireString(d, 'ownerName', ctx), initialBalance };
    }
    case 'MoneyDeposited':
    case 'MoneyWithdrawn': {
      const amount = requireMoney(d, 'amount', ctx);
      if (amount <= 0n) throw poison('EVENT_DATA_INVALID', `event ${event.eventId}: amount must be > 0`, ctx);
      const transactionId = requireUuid(d, 'transactionId', ctx);
      const transferId = d['transferId'] === undefined || d['transferId'] === null ? undefined : requireUuid(d, 'transferId', ctx);
      return transferId === undefined ? { type, accountId, amount, transactionId } : { type, accountId, amount, transactionId, transferId };
    }
    case 'AccountClosed':
      return { type: 'AccountClosed', accountId, reason: requireString(d, 'reason', ctx) };
  }
}

function isEventType(type: string): type is EventType {
  return (EVENT_TYPES as readonly string[]).includes(type);
}

/** Serialises a ledger event's payload as it is stored in `events.data` (money as strings). */
export function ledgerEventData(event: LedgerEvent): Record<string, string> {
  const { type: _type, ...rest } = event;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (value === undefined) continue;
    out[key] = typeof value === 'bigint' ? formatMoney(value) : String(value);
  }
  return out;
}

function requireString(d: Record<string, unknown>, field: string, ctx: Record<string, unknown>): string {
  const value = d[field];
  if (typeof value !== 'string' || value.length === 0 || value.length > 500) {
    throw poison('EVENT_DATA_INVALID', `event ${String(ctx['eventId'])}: ${field} must be a non-empty string of at most 500 characters`, { ...ctx, field });
  }
  return value;
}

function requireUuid(d: Record<string, unknown>, field: string, ctx: Record<string, unknown>): string {
  const value = d[field];
  if (!isUuid(value)) throw poison('EVENT_DATA_INVALID', `event ${String(ctx['eventId'])}: ${field} must be a UUID`, { ...ctx, field });
  return value.toLowerCase();
}

function requireMoney(d: Record<string, unknown>, field: string, ctx: Record<string, unknown>): Minor {
  try {
    return parseMoney(d[field], field);
  } catch (cause) {
    if (isLedgerflowError(cause)) throw poison('EVENT_DATA_INVALID', `event ${String(ctx['eventId'])}: ${cause.message}`, { ...ctx, field }, cause);
    throw cause;
  }
}
