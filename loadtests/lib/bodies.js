/**
 * Request bodies and the pure helpers they need. No k6 imports and no __ENV here: the API's
 * test suite (apps/api/src/loadtests.int.spec.ts) imports this file and sends what these
 * builders produce through the real API, so a field the API would refuse fails that test.
 *
 * Every builder has the same signature, (random, accountId, otherAccountId), and uses what it
 * needs: the test can then call each one the same way. `random` is a () => [0, 1) function.
 */

/** A random integer in [min, max]. */
export function randomInt(random, min, max) {
  return min + Math.floor(random() * (max - min + 1));
}

/**
 * Minor units (an integer number of cents) as the API's money text, e.g. 1250 → "12.50".
 * Money is never a float here: only whole cents are handled, with integer arithmetic.
 */
export function formatMoney(cents) {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new Error(`not a whole non-negative number of cents: ${cents}`);
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** A random amount of money between the two bounds in cents, inclusive, as money text. */
export function randomMoney(random, minCents, maxCents) {
  return formatMoney(randomInt(random, minCents, maxCents));
}

/** A version 4 UUID (k6 has no crypto.randomUUID; uniqueness is all we need here). */
export function uuidv4(random) {
  const hex = [];
  for (let i = 0; i < 32; i += 1) hex.push(randomInt(random, 0, 15).toString(16));
  hex[12] = '4';
  hex[16] = (8 + randomInt(random, 0, 3)).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** POST /accounts: a generous opening balance, so most withdrawals and transfers succeed. */
export function openAccountBody(random) {
  return { ownerName: `k6 owner ${randomInt(random, 1, 1000000)}`, initialBalance: randomMoney(random, 100000, 1000000), accountId: uuidv4(random) };
}

/** POST /accounts/:id/deposits */
export function depositBody(random) {
  return { amount: randomMoney(random, 100, 50000) };
}

/** POST /accounts/:id/withdrawals: smaller than deposits on average, so balances drift up. */
export function withdrawalBody(random) {
  return { amount: randomMoney(random, 100, 30000) };
}

/** POST /transfers between two distinct accounts. */
export function transferBody(random, accountId, otherAccountId) {
  return { fromAccountId: accountId, toAccountId: otherAccountId, amount: randomMoney(random, 100, 20000) };
}
