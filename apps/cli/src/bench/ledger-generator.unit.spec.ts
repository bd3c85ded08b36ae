import { parseLedgerEvent, type StoredEvent } from '@ledgerflow/cdc-core';
import { describe, expect, it } from 'vitest';
import { generateLedger } from './ledger-generator';

describe('generateLedger', () => {
  const events = [...generateLedger({ accounts: 50, events: 5000, seed: 9 })];

  it('emits exactly the number of events asked for, reproducibly', () => {
    expect(events).toHaveLength(5000);
    expect([...generateLedger({ accounts: 50, events: 5000, seed: 9 })]).toEqual(events);
  });

  it('emits a valid history: versions 1..n per stream, no overdraft, nothing after a close', () => {
    const state = new Map<string, { version: number; balance: bigint; closed: boolean }>();
    events.forEach((e, i) => {
      const ledger = parseLedgerEvent({ ...e, position: BigInt(i + 1), metadata: '{}', createdAt: new Date(0).toISOString() } as StoredEvent);
      const s = state.get(e.streamId) ?? { version: 0, balance: 0n, closed: false };
      expect(e.version).toBe(s.version + 1);
      expect(s.closed).toBe(false);
      if (ledger.type === 'AccountCreated') s.balance = ledger.initialBalance;
      if (ledger.type === 'MoneyDeposited') s.balance += ledger.amount;
      if (ledger.type === 'MoneyWithdrawn') s.balance -= ledger.amount;
      if (ledger.type === 'AccountClosed') s.closed = true;
      expect(s.balance).toBeGreaterThanOrEqual(0n);
      state.set(e.streamId, { ...s, version: e.version });
    });
    expect(state.size).toBe(50);
  });
});
