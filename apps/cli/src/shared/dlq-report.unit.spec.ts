import type { DeadLetterEvent, ParkedAccount } from '@ledgerflow/sinks';
import { describe, expect, it } from 'vitest';
import { formatAccountDeadLetters, formatParkedList, formatRedrive, formatSkip } from './dlq-report';
import { formatVerifyReport } from './verify-report';

const ID = 'aaaaaaaa-0000-4000-8000-000000000001';
const EVENT = 'eeeeeeee-0000-4000-8000-000000000002';

const parked: ParkedAccount = {
  accountId: ID,
  partition: 3,
  parkedAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:05:00.000Z',
  code: 'EVENT_DATA_INVALID',
  message: `event ${EVENT}: amount must have up to 18 integer digits`,
  details: { field: 'amount', cause: 'amount must have up to 18 integer digits and exactly 2 fraction digits, got "1.005"' },
  failedEventId: EVENT,
  failedVersion: 2,
  attempts: 1,
  heldCount: 2,
  projectedVersion: 1,
};

const event = (version: number, reason: 'failed' | 'held'): DeadLetterEvent => ({
  eventId: `eeeeeeee-0000-4000-8000-00000000000${version}`,
  accountId: ID,
  version,
  position: String(version * 10),
  type: 'MoneyDeposited',
  reason,
  code: 'EVENT_DATA_INVALID',
  message: reason === 'failed' ? 'amount must have up to 18 integer digits' : 'held behind …',
  details: {},
  data: { amount: '1.005' },
  createdAt: '2026-01-01T00:00:00.000Z',
  recordedAt: '2026-01-01T00:00:00.000Z',
});

describe('dlq formatting', () => {
  it('lists parked accounts with code, failed version, held count and attempts', () => {
    const text = formatParkedList([parked]).join('\n');
    expect(text).toContain('dlq: 1 parked account\n');
    expect(text).toMatch(new RegExp(`^  ${ID}\\s+EVENT_DATA_INVALID\\s+v2\\s+2\\s+1\\s+2026-01-01T00:00:00.000Z\\s+event ${EVENT}`, 'm'));
    expect(formatParkedList([])).toEqual(['dlq: no parked accounts']);
  });

  it('shows the failed event with its cause and data, the held ones, and skips', () => {
    const text = formatAccountDeadLetters(ID, parked, [event(2, 'failed'), event(3, 'held')], [{ eventId: EVENT, accountId: ID, version: 2, reason: 'typo', skippedAt: 'now' }]).join('\n');
    expect(text).toContain(`account ${ID}: parked since 2026-01-01T00:00:00.000Z (partition 3; read model stopped at v1, marked stale)`);
    expect(text).toContain('cause: amount must have up to 18 integer digits and exactly 2 fraction digits, got "1.005"');
    expect(text).toMatch(/^ {2}v2 {2}failed {2}EVENT_DATA_INVALID\s+MoneyDeposited/m);
    expect(text).toMatch(/^ {2}v3 {2}held {4}EVENT_DATA_INVALID/m);
    expect(text).toContain('data: {"amount":"1.005"}');
    expect(text).toContain(`v2  ${EVENT}  at now: typo`);
    expect(formatAccountDeadLetters(ID, { ...parked, projectedVersion: 0 }, [], []).join('\n')).toContain('no read-model row yet');
    expect(formatAccountDeadLetters(ID, undefined, [], [])).toEqual([`account ${ID} is not parked`]);
  });

  it('says whether a redrive unparked the account, and why not', () => {
    expect(formatRedrive({ outcome: 'unparked', accountId: ID, applied: 3, version: 4 })).toEqual([`dlq redrive: account ${ID} unparked — 3 events applied, read model at v4`]);
    const text = formatRedrive({ outcome: 'parked', accountId: ID, applied: 0, version: 1, code: 'EVENT_TYPE_UNKNOWN', message: 'unknown type', failedEventId: EVENT, failedVersion: 2, held: 1, attempts: 2 }).join('\n');
    expect(text).toContain('is still parked — 0 events applied, read model at v1');
    expect(text).toContain(`event ${EVENT} (v2) fails with EVENT_TYPE_UNKNOWN: unknown type`);
    expect(text).toContain('1 later event held; failed redrives: 2');
  });

  it('confirms a skip and what to do next', () => {
    const lines = formatSkip({ eventId: EVENT, accountId: ID, version: 2, type: 'MoneyDeposited', recorded: true });
    expect(lines[0]).toBe(`dlq skip: event ${EVENT} (v2 MoneyDeposited) of account ${ID} will be applied as a no-op`);
    expect(lines[1]).toContain(`ledgerflow dlq redrive ${ID}`);
    expect(formatSkip({ eventId: EVENT, accountId: ID, version: 2, type: 'X', recorded: false })[0]).toContain('already skipped');
  });

  it('prints skipped and parked counts in the verify report', () => {
    const mismatches = { missingAccounts: 0, extraAccounts: 0, wrongAccounts: 0, missingTransactions: 0, extraTransactions: 0, wrongTransactions: 0, brokenStreams: 0, parkedStreams: 2 };
    const report = { streams: 5, events: 20, accountRows: 5, transactionRows: 10, mismatches, total: 2, skippedEvents: 1, samples: [] };
    const text = formatVerifyReport(report, { parkedAccounts: 2, deadLetterEvents: 5, skippedEvents: 1 }).join('\n');
    expect(text).toContain('0 streams with version gaps, 2 accounts holding an event that cannot be applied');
    expect(text).toContain('skipped:      1 events skipped by an operator');
    expect(text).toContain('dead letters: 2 parked accounts, 5 failed or held events');
    expect(text).toContain('verify: FAILED — 2 mismatches');
  });
});
