import { MAX_MONEY_MINOR, formatMoney, parseLedgerEvent, poison, type StoredEvent } from '@ledgerflow/cdc-core';
import type { AccountRow, TransactionRow } from '@ledgerflow/cdc-core';

/** The outcome of applying one event to an account. */
export interface Evolved {
  readonly row: AccountRow;
  readonly transaction?: TransactionRow;
}

/**
 * Applies one event to an account's row (undefined before AccountCreated). Pure. The caller
 * guarantees `event.version === (row?.version ?? 0) + 1` and the same stream (checked: a
 * RangeError if not). An event that breaks a ledger rule
 * (money on a closed or missing account, an overdraft, a second AccountCreated) throws a
 * non-retryable `EVENT_RULE_VIOLATION`: the write side forbids it, so seeing it here means the
 * event store holds something the projection must not guess about.
 */
export function evolveAccount(row: AccountRow | undefined, event: StoredEvent): Evolved {
  // A broken caller contract, not a bad event: a plain Error, so foldBatch lets it propagate
  // instead of parking the account, and no row with a version gap is ever produced (G2).
  const expected = (row?.version ?? 0) + 1;
  if (event.version !== expected) throw new RangeError(`event ${event.eventId}: version ${event.version} applied to a row at version ${expected - 1}`);
  if (row !== undefined && row.accountId.toLowerCase() !== event.streamId.toLowerCase()) throw new RangeError(`event ${event.eventId}: stream ${event.streamId} applied to account ${row.accountId}`);
  const ledger = parseLedgerEvent(event);
  const ctx = { eventId: event.eventId, streamId: event.streamId, version: event.version, type: event.type };
  if (ledger.type === 'AccountCreated') {
    if (row !== undefined) throw poison('EVENT_RULE_VIOLATION', `event ${event.eventId}: AccountCreated must be the first event of its stream`, ctx);
    if (ledger.initialBalance > MAX_MONEY_MINOR) throw poison('EVENT_RULE_VIOLATION', `event ${event.eventId}: initialBalance exceeds numeric(20,2)`, ctx);
    return {
      row: {
        accountId: event.streamId,
        ownerName: ledger.ownerName,
        balance: ledger.initialBalance,
        status: 'active',
        version: 1,
        lastPosition: event.position,
        createdAt: event.createdAt,
        updatedAt: event.createdAt,
      },
    };
  }
  if (row === undefined) throw poison('EVENT_RULE_VIOLATION', `event ${event.eventId}: ${event.type} on an account that was never created`, ctx);
  if (row.status === 'closed') throw poison('EVENT_RULE_VIOLATION', `event ${event.eventId}: ${event.type} on a closed account`, ctx);
  const advanced = { version: event.version, lastPosition: event.position, updatedAt: event.createdAt };
  if (ledger.type === 'AccountClosed') return { row: { ...row, ...advanced, status: 'closed' } };

  const balance = ledger.type === 'MoneyDeposited' ? row.balance + ledger.amount : row.balance - ledger.amount;
  if (balance < 0n) {
    throw poison('EVENT_RULE_VIOLATION', `event ${event.eventId}: withdrawal of ${formatMoney(ledger.amount)} exceeds balance ${formatMoney(row.balance)}`, ctx);
  }
  if (balance > MAX_MONEY_MINOR) throw poison('EVENT_RULE_VIOLATION', `event ${event.eventId}: balance would exceed numeric(20,2)`, ctx);
  return {
    row: { ...row, ...advanced, balance },
    transaction: {
      transactionId: ledger.transactionId,
      accountId: row.accountId,
      type: ledger.type === 'MoneyDeposited' ? 'DEPOSIT' : 'WITHDRAWAL',
      amount: ledger.amount,
      balanceAfter: balance,
      position: event.position,
      occurredAt: event.createdAt,
    },
  };
}
