import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { ROLES, type Role } from '../auth/roles';
import { TEST_TOKENS } from './tokens';

/**
 * fast-check arbitraries for hostile requests (test-only): credentials, bodies, path
 * parameters and query strings. Every generated token-like value carries a distinctive
 * 20-character stem, recorded in `secrets`, that the tests then search for in the logs.
 */

/** What a request authenticates with, and the role it should be granted (undefined: none). */
export interface CredentialCase {
  readonly headers: Record<string, string | string[]>;
  /** Extra query-string text (tokens where no token belongs). */
  readonly query: string;
  readonly role: Role | undefined;
  readonly secrets: readonly string[];
  readonly label: string;
}

const anonymous = (label: string, headers: CredentialCase['headers'] = {}, query = '', secrets: string[] = []): CredentialCase => ({ headers, query, role: undefined, secrets, label });

/** A high-entropy stem no log line could contain by chance. */
const stem = fc.integer().map((seed) => createHash('sha256').update(`hostile-${seed}`).digest('base64url').slice(0, 20));
const TOKEN_CHARS = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=');

/** Token-like strings of every length and charset, none of which is configured. */
const randomToken = fc.tuple(
  stem,
  fc.oneof(fc.string({ unit: TOKEN_CHARS, maxLength: 700 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('', '\r\n', '\u0000', ' ', '==', '\u2028')),
);

const validHeader = fc.record({
  role: fc.constantFrom(...ROLES),
  name: fc.constantFrom('authorization', 'Authorization', 'AUTHORIZATION'),
  scheme: fc.constantFrom('Bearer', 'bearer', 'BEARER'),
  gap: fc.constantFrom(' ', '  '),
  tail: fc.constantFrom('', ' '),
});

/** A configured token, broken in a way that must never be accepted. */
const mangled = fc.tuple(fc.constantFrom(...ROLES), fc.nat(), fc.constantFrom('drop', 'append', 'change', 'basic', 'bare', 'quoted', 'twice', 'tab', 'newline', 'token-scheme'));
function mangle(token: string, at: number, how: string): string {
  const i = at % token.length;
  const changed = `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
  const forms: Record<string, string> = {
    drop: `Bearer ${token.slice(0, -1)}`,
    append: `Bearer ${token}x`,
    change: `Bearer ${changed}`,
    basic: `Basic ${token}`,
    bare: token,
    quoted: `Bearer "${token}"`,
    twice: `Bearer ${token} ${token}`,
    tab: `Bearer\t${token}`,
    newline: `Bearer ${token}\n`,
    'token-scheme': `Token ${token}`,
  };
  return forms[how]!;
}

/** Every way of (not) authenticating a request. */
export const credentials: fc.Arbitrary<CredentialCase> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(anonymous('none')) },
  { weight: 4, arbitrary: validHeader.map((v) => ({ headers: { [v.name]: `${v.scheme}${v.gap}${TEST_TOKENS[v.role]}${v.tail}` }, query: '', role: v.role, secrets: [], label: `valid ${v.role}` })) },
  { weight: 2, arbitrary: mangled.map(([role, at, how]) => anonymous(`mangled ${how}`, { authorization: mangle(TEST_TOKENS[role], at, how) })) },
  { weight: 2, arbitrary: randomToken.map(([s, rest]) => anonymous('random bearer', { authorization: `Bearer ${s}${rest}` }, '', [s])) },
  { weight: 1, arbitrary: randomToken.map(([s, rest]) => anonymous('random value', { authorization: `${s}${rest}` }, '', [s])) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...ROLES), fc.oneof(fc.constantFrom(...ROLES).map((r) => [`Bearer ${TEST_TOKENS[r]}`]), stem.map((s) => [`Bearer ${s}${s}`, s])))
      .map(([role, [second, secret]]) => anonymous('two headers', { authorization: [`Bearer ${TEST_TOKENS[role]}`, second!] }, '', secret === undefined ? [] : [secret])),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...ROLES).chain((role) =>
      fc.constantFrom(
        anonymous('x-api-key', { 'x-api-key': TEST_TOKENS[role] }),
        anonymous('cookie', { cookie: `token=${TEST_TOKENS[role]}` }),
        anonymous('proxy-authorization', { 'proxy-authorization': `Bearer ${TEST_TOKENS[role]}` }),
        anonymous('access_token query', {}, `access_token=${TEST_TOKENS[role]}`),
      ),
    ),
  },
);

const money = fc.integer({ min: 1, max: 5_000_00 }).map((n) => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`);
const NAN_LIKE = ['NaN', 'Infinity', '-Infinity', '1e3', '1e309', '0x10', '1_000.00', ' 1.00', '1.00\n', '１.００', '٣.٠٠', '-0.00', '+1.00', '1.005', '.50', '1.', '00.01', '1.00\u0000'];
const moneyish = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(...NAN_LIKE), fc.constant(null), money);
const nonBlank = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim().length > 0);

/** A body the route would accept (the accounts exist), for routes whose shape is known. */
export function validBody(route: string, accounts: readonly string[]): fc.Arbitrary<Record<string, unknown>> | undefined {
  const account = fc.constantFrom(...accounts);
  const bodies: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
    'POST /accounts': fc.record({ ownerName: nonBlank, initialBalance: money }),
    'POST /accounts/:id/deposits': fc.record({ amount: money }),
    'POST /accounts/:id/withdrawals': fc.record({ amount: money }),
    'POST /accounts/:id/close': fc.record({ reason: nonBlank }),
    'POST /transfers': fc.record({ fromAccountId: account, toAccountId: account, amount: money }),
    'POST /admin/dlq/:accountId/redrive': fc.constant({}),
    'POST /admin/events/:eventId/skip': fc.record({ reason: nonBlank }),
  };
  return bodies[route];
}

const depth = (open: string, close: string) => fc.integer({ min: 1, max: 6000 }).map((n) => open.repeat(n) + '1' + close.repeat(n));
const POLLUTION = [
  '{"__proto__":{"admin":true},"amount":"1.00"}',
  '{"constructor":{"prototype":{"admin":true}},"amount":"1.00"}',
  '{"amount":"1.00","__proto__":null}',
  '{"prototype":{"x":1},"ownerName":"a","initialBalance":"1.00"}',
  '{"hasOwnProperty":1,"amount":"1.00"}',
  '{"amount":"1.00","amount":"2.00"}',
];

/** A request body as sent: text or bytes, possibly not JSON at all, possibly too large. */
export function hostileBody(valid: fc.Arbitrary<Record<string, unknown>> | undefined): fc.Arbitrary<string | Buffer | undefined> {
  const base = valid ?? fc.constant({});
  return fc.oneof(
    { weight: valid ? 8 : 0, arbitrary: base.map((b) => JSON.stringify(b)) },
    { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: fc.tuple(base, fc.constantFrom('amount', 'initialBalance', 'expectedVersion'), moneyish).map(([b, k, v]) => JSON.stringify({ ...b, [k]: v })) },
    { weight: 1, arbitrary: fc.constantFrom(...POLLUTION) },
    { weight: 1, arbitrary: fc.tuple(base, fc.constantFrom(100, 16_000, 20_000)).map(([b, n]) => JSON.stringify({ ...b, ownerName: 'x'.repeat(n) })) },
    { weight: 1, arbitrary: fc.oneof(depth('[', ']'), depth('{"a":', '}')) },
    { weight: 1, arbitrary: fc.tuple(base, fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 40 }), { maxKeys: 3 })).map(([b, d]) => JSON.stringify({ ...b, ...d })) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/** Content types a client might (wrongly) send; undefined: no header. */
export const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant<string | undefined>('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom<string | undefined>(
      undefined,
      '',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/json; charset=utf-16le',
      'application/json;;;',
      'application/vnd.api+json',
      'text/plain',
      'text/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      'application/json\u0000',
      '*/*',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }) },
);

const DOT_SEGMENTS = ['..', '.', '../..', '%2e%2e', '%2e%2e%2f', '..%2f..%2fetc%2fpasswd', '%zz', '%', '%00', '%C0%AF', '%E0%A4%A', ''];

/** A value for a path parameter: a real account, a stranger, junk, traversal, or far too long. */
export function pathParam(accounts: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...accounts), fc.boolean()).map(([id, upper]) => (upper ? id.toUpperCase() : id)) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.constantFrom(...DOT_SEGMENTS) },
    { weight: 1, arbitrary: fc.integer({ min: 90, max: 3000 }).map((n) => 'a'.repeat(n)) },
  );
}

const encodePairs = (pairs: Record<string, string>) => new URLSearchParams(pairs).toString();

/** A query string (without `?`), from none at all to junk. */
export const queryString = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: fc.dictionary(fc.string({ unit: 'binary', maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 30 }), { maxKeys: 3 }).map(encodePairs) },
  {
    weight: 2,
    arbitrary: fc
      .record({ limit: fc.oneof(fc.integer({ min: -5, max: 300 }).map(String), fc.string({ maxLength: 5 })), cursor: fc.oneof(fc.string({ maxLength: 40 }), fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? '').toString('base64url'))) }, { requiredKeys: [] })
      .map(encodePairs),
  },
  { weight: 1, arbitrary: fc.constantFrom('%zz=1', '&&&', '=', 'a=%', 'limit=1&limit=2', '__proto__[x]=1', 'constructor[prototype][x]=1', `cursor=${'A'.repeat(3000)}`) },
);
