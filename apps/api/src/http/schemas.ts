import { isUuid, parseMoney } from '@ledgerflow/cdc-core';
import { MAX_SKIP_REASON_LENGTH } from '@ledgerflow/sinks';
import { z } from 'zod';

/**
 * Request schemas. Money is accepted only as a string in the cdc-core format (up to 18 integer
 * digits, exactly 2 fraction digits, no sign): a JSON number has already lost its exactness
 * when it reaches us, so it is refused rather than guessed at.
 */
const MONEY_TEXT = /^(0|[1-9][0-9]{0,17})\.[0-9]{2}$/;

/** A type error message that tells a missing field from a wrongly typed one. */
const typeError = (expected: string) => (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : expected);

const money = z
  .string({ error: typeError('must be a decimal string such as "12.50", not a number') })
  .regex(MONEY_TEXT, 'must be a non-negative decimal string with up to 18 integer digits and exactly 2 fraction digits, such as "12.50"')
  .transform((text) => parseMoney(text));

const positiveMoney = money.refine((minor) => minor > 0n, 'must be greater than 0.00');

/** A UUID in any case, normalised to lower case (PostgreSQL prints uuids in lower case). */
export const uuid = z
  .string({ error: typeError('must be a UUID string') })
  .refine(isUuid, 'must be a UUID such as "3f2a1b7c-0000-4000-8000-00000000abcd"')
  .transform((id) => id.toLowerCase());

/** Free text. NUL is refused: PostgreSQL text and jsonb cannot hold it, so it would otherwise be a 500. */
const text = (max: number) =>
  z
    .string({ error: typeError('must be a string') })
    .max(max, `must be at most ${max} characters`)
    .refine((s) => s.trim().length > 0, 'must not be blank')
    .refine((s) => !s.includes('\u0000'), 'must not contain NUL characters');

const expectedVersion = z.number({ error: typeError('must be an integer (a JSON number)') }).int('must be an integer').min(0, 'must be 0 or more').max(2_147_483_647, 'is too large').optional();

/** POST /accounts */
export const openAccountBody = z.strictObject({ ownerName: text(200), initialBalance: money, accountId: uuid.optional() });

/** POST /accounts/:id/deposits and /withdrawals */
export const moneyCommandBody = z.strictObject({ amount: positiveMoney, expectedVersion });

/** POST /accounts/:id/close */
export const closeAccountBody = z.strictObject({ reason: text(500), expectedVersion });

/** POST /transfers */
export const transferBody = z.strictObject({ fromAccountId: uuid, toAccountId: uuid, amount: positiveMoney });

/** Path parameters of /accounts/:id/… */
export const accountParams = z.object({ id: uuid });

/** GET /accounts/:id/transactions query string. */
export const transactionsQuery = z.object({
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, 'must be an integer from 1 to 200')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 200, 'must be an integer from 1 to 200')
    .optional(),
  cursor: z.string().max(512, 'is not a cursor this API issued').optional(),
});

/** Path parameters of /admin/dlq/:accountId/… */
export const dlqAccountParams = z.object({ accountId: uuid });

/** Path parameters of /admin/events/:eventId/… */
export const eventParams = z.object({ eventId: uuid });

/** GET /admin/dlq query string: how many parked accounts to list, oldest first. */
export const dlqListQuery = z.object({
  limit: z
    .string()
    .regex(/^[0-9]{1,4}$/, 'must be an integer from 1 to 1000')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 1000, 'must be an integer from 1 to 1000')
    .optional(),
});

/** POST /admin/dlq/:accountId/redrive takes no input: no body, or an empty JSON object. */
export const redriveBody = z.strictObject({}).optional();

/** POST /admin/events/:eventId/skip: why the event is skipped, kept with the skip (sinks trims it). */
export const skipBody = z.strictObject({ reason: text(MAX_SKIP_REASON_LENGTH) });
