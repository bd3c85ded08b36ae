import { describe, expect, it } from 'vitest';
import type { StreamChange } from '../domain/decide';
import { planEventRows } from './event-rows';

describe('planEventRows', () => {
  it('numbers each stream from its expected version and orders rows by (stream, version)', () => {
    const change = (streamId: string, expectedVersion: number, amounts: bigint[]): StreamChange => ({
      streamId,
      expectedVersion,
      events: amounts.map((amount) => ({ type: 'MoneyDeposited', accountId: streamId, amount, transactionId: 't' })),
      next: { version: expectedVersion + amounts.length, balance: 0n, status: 'active' },
    });
    let n = 0;
    const rows = planEventRows([change('b', 7, [1n]), change('a', 0, [250n, 5n])], { correlationId: 'req-1', causationId: 'cmd-1', command: 'X' }, () => `id${++n}`);
    expect(rows.map((r) => [r.streamId, r.version])).toEqual([
      ['a', 1],
      ['a', 2],
      ['b', 8],
    ]);
    expect(JSON.parse(rows[0]!.data)).toEqual({ accountId: 'a', amount: '2.50', transactionId: 't' });
    expect(JSON.parse(rows[0]!.metadata)).toEqual({ correlationId: 'req-1', causationId: 'cmd-1', command: 'X' });
  });
});
