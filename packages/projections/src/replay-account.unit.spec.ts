import { randomUUID } from 'node:crypto';
import type { AccountRow, StoredEvent } from '@ledgerflow/cdc-core';
import { describe, expect, it } from 'vitest';
import { evolveAccount } from './evolve-account';
import { foldBatch } from './fold-batch';
import { replayAccount } from './replay-account';
import { skipAccountEvent } from './skip-event';
import { closed, created, deposited, storedEvent, withdrawn } from './test-fixtures';
import { versionGapFailure } from './version-gap';

const A = randomUUID();
const NONE = new Set<string>();

function rowAfter(events: readonly StoredEvent[]): AccountRow {
  let row: AccountRow | undefined;
  for (const e of events) row = evolveAccount(row, e).row;
  return row!;
}

const badAmount = (version: number) => storedEvent(A, version, 'MoneyDeposited', { accountId: A, amount: '1.005', transactionId: randomUUID() });
const versions = (events: readonly StoredEvent[]) => events.map((e) => e.version);

describe('skipAccountEvent', () => {
  it('advances version, position and update time, and nothing else', () => {
    const row = rowAfter([created(A, '10.00'), deposited(A, 2, '1.00')]);
    const skipped = badAmount(3);
    expect(skipAccountEvent(row, skipped)).toEqual({ row: { ...row, version: 3, lastPosition: skipped.position, updatedAt: skipped.createdAt } });
  });

  it('cannot open an account, and keeps the contiguity contract', () => {
    expect(() => skipAccountEvent(undefined, created(A))).toThrow(expect.objectContaining({ code: 'EVENT_RULE_VIOLATION', retryable: false }));
    expect(() => skipAccountEvent(rowAfter([created(A)]), badAmount(3))).toThrow(RangeError);
  });
});

describe('foldBatch with skipped events', () => {
  it('applies a skipped event as a no-op that counts, and folds on after it', () => {
    const history = [created(A, '10.00'), badAmount(2), closed(A, 3), deposited(A, 4, '2.00')];
    const result = foldBatch(new Map(), new Map([[A, history]]), new Set([history[1]!.eventId, history[2]!.eventId]));
    expect(result.failures).toEqual([]);
    expect(result).toMatchObject({ applied: 4, skipped: 2 });
    expect(result.accounts[0]).toMatchObject({ version: 4, balance: 1200n, status: 'active' });
    expect(result.transactions.map((t) => t.balanceAfter)).toEqual([1200n]);
  });
});

describe('replayAccount', () => {
  it('applies every stored event above the row when all are good', () => {
    const history = [created(A, '10.00'), deposited(A, 2, '1.00'), withdrawn(A, 3, '2.00')];
    const result = replayAccount(A, rowAfter(history.slice(0, 1)), history.slice(1), NONE);
    expect(result.failure).toBeUndefined();
    expect(result).toMatchObject({ applied: 2, skipped: 0, row: { version: 3, balance: 900n } });
    expect(result.transactions).toHaveLength(2);
  });

  it('starts from no row when the first event was the poison one', () => {
    const result = replayAccount(A, undefined, [created(A, '5.00'), deposited(A, 2, '1.00')], NONE);
    expect(result).toMatchObject({ applied: 2, row: { version: 2, balance: 600n } });
  });

  it('stops again at a poison event, applying what comes before it and holding the rest', () => {
    const history = [created(A), deposited(A, 2, '1.00'), badAmount(3), deposited(A, 4, '1.00'), deposited(A, 5, '1.00')];
    const result = replayAccount(A, rowAfter(history.slice(0, 1)), history.slice(1), NONE);
    expect(result).toMatchObject({ applied: 1, row: { version: 2 } });
    expect(result.failure).toMatchObject({ event: { version: 3 }, error: { code: 'EVENT_DATA_INVALID' } });
    expect(versions(result.failure!.held)).toEqual([4, 5]);
  });

  it('goes past a skipped poison event', () => {
    const history = [created(A), badAmount(2), deposited(A, 3, '1.00')];
    const result = replayAccount(A, rowAfter(history.slice(0, 1)), history.slice(1), new Set([history[1]!.eventId]));
    expect(result.failure).toBeUndefined();
    expect(result).toMatchObject({ applied: 2, skipped: 1, row: { version: 3, balance: 100n } });
  });

  it('stops at a hole with EVENT_VERSION_GAP, after applying the versions before it', () => {
    const stored = [created(A), deposited(A, 2, '1.00'), deposited(A, 5, '1.00'), deposited(A, 6, '1.00')];
    const result = replayAccount(A, undefined, stored, NONE);
    expect(result).toMatchObject({ applied: 2, row: { version: 2 } });
    expect(result.failure).toMatchObject({ event: { version: 5 }, error: { code: 'EVENT_VERSION_GAP', details: { missingVersion: 3 } } });
    expect(versions(result.failure!.held)).toEqual([6]);
  });

  it('reports a poison event before a hole first, holding everything after it', () => {
    const stored = [created(A), badAmount(2), deposited(A, 3, '1.00'), deposited(A, 5, '1.00')];
    const result = replayAccount(A, undefined, stored, NONE);
    expect(result).toMatchObject({ applied: 1, row: { version: 1 } });
    expect(result.failure).toMatchObject({ event: { version: 2 }, error: { code: 'EVENT_DATA_INVALID' } });
    expect(versions(result.failure!.held)).toEqual([3, 5]);
  });

  it('changes nothing when there is nothing above the row', () => {
    const row = rowAfter([created(A)]);
    expect(replayAccount(A, row, [], NONE)).toEqual({ row, transactions: [], applied: 0, skipped: 0 });
  });
});

describe('versionGapFailure', () => {
  it('needs an event above the hole', () => {
    expect(() => versionGapFailure(A, [created(A)], 2)).toThrow(RangeError);
  });
});
