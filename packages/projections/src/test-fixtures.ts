import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '@ledgerflow/cdc-core';

// Test-only builders shared by this package's specs (not exported from index.ts).

const EPOCH_MS = Date.UTC(2024, 0, 1);
let nextPosition = 1n;

/** A StoredEvent as the pipeline delivers it; the position defaults to a fresh increasing one. */
export function storedEvent(streamId: string, version: number, type: string, data: Record<string, unknown>, position?: bigint): StoredEvent {
  const pos = position ?? nextPosition++;
  return {
    position: pos,
    eventId: randomUUID(),
    streamId,
    version,
    type,
    data: JSON.stringify(data),
    metadata: '{}',
    createdAt: new Date(EPOCH_MS + Number(pos) * 1000).toISOString(),
  };
}

export function created(streamId: string, initialBalance = '0.00', version = 1, position?: bigint): StoredEvent {
  return storedEvent(streamId, version, 'AccountCreated', { accountId: streamId, ownerName: `owner of ${streamId.slice(0, 8)}`, initialBalance }, position);
}

export function deposited(streamId: string, version: number, amount: string, position?: bigint): StoredEvent {
  return storedEvent(streamId, version, 'MoneyDeposited', { accountId: streamId, amount, transactionId: randomUUID() }, position);
}

export function withdrawn(streamId: string, version: number, amount: string, position?: bigint): StoredEvent {
  return storedEvent(streamId, version, 'MoneyWithdrawn', { accountId: streamId, amount, transactionId: randomUUID() }, position);
}

export function closed(streamId: string, version: number, position?: bigint): StoredEvent {
  return storedEvent(streamId, version, 'AccountClosed', { accountId: streamId, reason: 'customer request' }, position);
}

/** The transactionId an event's data carries. */
export function transactionIdOf(event: StoredEvent): string {
  return (JSON.parse(event.data) as { transactionId: string }).transactionId;
}
