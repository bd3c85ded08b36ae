import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import { MAX_SKIP_REASON_LENGTH } from '@ledgerflow/sinks';
import { closeAccountBody, dlqListQuery, moneyCommandBody, openAccountBody, redriveBody, skipBody, transactionsQuery, transferBody } from './schemas';
import { parseInput } from './validate';

function refusal(fn: () => unknown): { code: string; field: string | undefined; message: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    const e = error as ApiError;
    return { code: e.code, field: e.field, message: e.message };
  }
  throw new Error('expected a validation error');
}

describe('money fields', () => {
  it.each([
    ['12.50', 1250n],
    ['0.01', 1n],
    ['99999999999999.99', 9_999_999_999_999_999n],
    ['999999999999999999.99', 10n ** 20n - 1n],
  ])('accepts %s exactly', (amount, minor) => {
    expect(parseInput(moneyCommandBody, { amount }, 'body').amount).toBe(minor);
  });

  it.each([['0.1'], ['1.005'], [0.1], [12], ['1e3'], ['-5.00'], ['+5.00'], ['05.00'], [' 5.00'], ['5'], ['1000000000000000000.00'], [null], ['0.00']])(
    'refuses %j naming the field',
    (amount) => {
      expect(refusal(() => parseInput(moneyCommandBody, { amount }, 'body'))).toMatchObject({ code: 'VALIDATION_FAILED', field: 'amount' });
    },
  );

  it('says a JSON number is not accepted', () => {
    expect(refusal(() => parseInput(transferBody, { fromAccountId: crypto.randomUUID(), toAccountId: crypto.randomUUID(), amount: 5 }, 'body')).message).toMatch(/not a number/);
  });

  it('accepts a zero initial balance but not a negative one', () => {
    expect(parseInput(openAccountBody, { ownerName: 'Ada', initialBalance: '0.00' }, 'body').initialBalance).toBe(0n);
    expect(refusal(() => parseInput(openAccountBody, { ownerName: 'Ada', initialBalance: '-0.01' }, 'body')).field).toBe('initialBalance');
  });
});

describe('request bodies', () => {
  it('names a missing field and says it is required', () => {
    expect(refusal(() => parseInput(openAccountBody, { initialBalance: '1.00' }, 'body'))).toMatchObject({ field: 'ownerName', message: 'ownerName is required' });
  });

  it('names an unknown field', () => {
    expect(refusal(() => parseInput(moneyCommandBody, { amount: '1.00', amout: '1.00' }, 'body'))).toMatchObject({ field: 'amout', message: 'amout is not a known field' });
  });

  it('does not echo an unknown key that is no plausible field name (huge, unicode, control characters, secrets)', () => {
    for (const key of ['x'.repeat(41), 'amöunt', 'a\u0000b', 'Bearer abc', '9lives', 'a-b']) {
      const refused = refusal(() => parseInput(moneyCommandBody, { amount: '1.00', [key]: 1 }, 'body'));
      expect(refused).toEqual({ code: 'VALIDATION_FAILED', field: 'body', message: 'body has a field that is not known' });
    }
  });

  it('refuses a body that is not an object, naming the body', () => {
    for (const body of [undefined, null, [], 'x', 5]) {
      expect(refusal(() => parseInput(closeAccountBody, body, 'body'))).toMatchObject({ field: 'body' });
    }
  });

  it('normalises uuids to lower case and refuses others', () => {
    const id = 'ABCDEF01-0000-4000-8000-00000000000A';
    expect(parseInput(openAccountBody, { ownerName: 'A', initialBalance: '1.00', accountId: id }, 'body').accountId).toBe(id.toLowerCase());
    expect(refusal(() => parseInput(openAccountBody, { ownerName: 'A', initialBalance: '1.00', accountId: 'nope' }, 'body')).field).toBe('accountId');
  });

  it('refuses blank text and a non-integer expectedVersion', () => {
    expect(refusal(() => parseInput(closeAccountBody, { reason: '   ' }, 'body')).field).toBe('reason');
    for (const expectedVersion of ['1', 1.5, -1]) {
      expect(refusal(() => parseInput(moneyCommandBody, { amount: '1.00', expectedVersion }, 'body')).field).toBe('expectedVersion');
    }
  });
});

describe('transactions query', () => {
  it('accepts 1..200 and refuses the rest', () => {
    expect(parseInput(transactionsQuery, { limit: '200' }, 'query').limit).toBe(200);
    expect(parseInput(transactionsQuery, {}, 'query').limit).toBeUndefined();
    for (const limit of ['0', '201', 'abc', '1e2', '', ['1', '2']]) {
      expect(refusal(() => parseInput(transactionsQuery, { limit }, 'query')).field).toBe('limit');
    }
  });
});

describe('free text', () => {
  it('refuses NUL, which PostgreSQL cannot store, in owner names and reasons', () => {
    expect(refusal(() => parseInput(openAccountBody, { ownerName: 'a\u0000b', initialBalance: '1.00' }, 'body'))).toMatchObject({ field: 'ownerName', message: 'ownerName must not contain NUL characters' });
    expect(refusal(() => parseInput(closeAccountBody, { reason: '\u0000x' }, 'body')).field).toBe('reason');
  });
});

describe('admin dead-letter input', () => {
  it('takes a skip reason of 1 to MAX_SKIP_REASON_LENGTH characters, not blank, without NUL', () => {
    expect(parseInput(skipBody, { reason: 'entered twice' }, 'body').reason).toBe('entered twice');
    expect(parseInput(skipBody, { reason: 'x'.repeat(MAX_SKIP_REASON_LENGTH) }, 'body').reason).toHaveLength(MAX_SKIP_REASON_LENGTH);
    for (const reason of [undefined, '', '  \n', 'x'.repeat(MAX_SKIP_REASON_LENGTH + 1), 'a\u0000b', 42, null]) {
      expect(refusal(() => parseInput(skipBody, reason === undefined ? {} : { reason }, 'body')), JSON.stringify(reason)).toMatchObject({ code: 'VALIDATION_FAILED', field: 'reason' });
    }
    expect(refusal(() => parseInput(skipBody, { reason: 'ok', force: true }, 'body'))).toMatchObject({ field: 'force' });
  });

  it('takes no redrive input but an empty object, and a list limit of 1 to 1000', () => {
    expect(parseInput(redriveBody, undefined, 'body')).toBeUndefined();
    expect(parseInput(redriveBody, {}, 'body')).toEqual({});
    expect(refusal(() => parseInput(redriveBody, { accountId: 'x' }, 'body'))).toMatchObject({ field: 'accountId' });
    expect(refusal(() => parseInput(redriveBody, [], 'body'))).toMatchObject({ field: 'body' });
    expect(parseInput(dlqListQuery, { limit: '1000' }, 'query').limit).toBe(1000);
    for (const limit of ['0', '1001', '-1', 'ten', '1.5']) expect(refusal(() => parseInput(dlqListQuery, { limit }, 'query')).field).toBe('limit');
  });
});
