import { describe, expect, it } from 'vitest';
import { credentialOf } from './bearer';
import { accessFor, roleSatisfies, ROLES } from './roles';
import { hashToken, isTokenShaped, parseApiTokens, roleOfToken } from './tokens';

const READ = 'read-token-0123456789abcdef';
const WRITE = 'write+token/0123456789ABCDEF==';
const table = parseApiTokens(`read:${READ},write:${WRITE}`);

describe('roles', () => {
  it('are ordered: admin ⊇ write ⊇ read', () => {
    const allowed = ROLES.flatMap((held) => ROLES.filter((needed) => roleSatisfies(held, needed)).map((needed) => `${held}→${needed}`));
    expect(allowed).toEqual(['read→read', 'write→read', 'write→write', 'admin→read', 'admin→write', 'admin→admin']);
  });

  it('resolve a route: declared access wins, else GET/HEAD read and the rest write; unknown routes need read', () => {
    expect([accessFor('GET', undefined, false), accessFor('HEAD', undefined, false), accessFor('POST', undefined, false), accessFor('DELETE', undefined, false)]).toEqual([
      'read',
      'read',
      'write',
      'write',
    ]);
    expect([accessFor('GET', 'public', false), accessFor('POST', 'admin', false), accessFor('GET', 'admin', false)]).toEqual(['public', 'admin', 'admin']);
    expect(accessFor('DELETE', undefined, true)).toBe('read');
  });
});

describe('roleOfToken', () => {
  it('finds the role of a configured token and nothing for anything else', () => {
    expect(roleOfToken(table, READ)).toBe('read');
    expect(roleOfToken(table, WRITE)).toBe('write');
    for (const other of [READ.slice(1), `${READ}x`, READ.toUpperCase(), '', 'x'.repeat(600), `${READ} `]) expect(roleOfToken(table, other)).toBeUndefined();
  });

  it('keeps hashes only', () => {
    expect(table.map((e) => e.sha256)).toEqual([hashToken(READ), hashToken(WRITE)]);
    expect(JSON.stringify(table)).not.toContain(READ);
    expect(isTokenShaped('a'.repeat(24))).toBe(true);
    expect(isTokenShaped('a'.repeat(23))).toBe(false);
  });
});

describe('credentialOf', () => {
  const raw = (...values: string[]) => values.flatMap((v) => ['Authorization', v]);

  it('reads one Bearer header, scheme in any case, with spaces around the token', () => {
    for (const header of [`Bearer ${READ}`, `bearer ${READ}`, `BEARER   ${READ}  `]) expect(credentialOf(['Host', 'x', ...raw(header)])).toEqual({ kind: 'bearer', token: READ });
    expect(credentialOf(['AUTHORIZATION', `Bearer ${WRITE}`])).toEqual({ kind: 'bearer', token: WRITE });
  });

  it('tells a missing header from a malformed one', () => {
    expect(credentialOf(['Host', 'x'])).toEqual({ kind: 'missing' });
    for (const header of ['', 'Bearer', 'Bearer ', READ, `Basic ${READ}`, `Bearer ${READ} ${READ}`, `Bearer "${READ}"`, `Bearer\t${READ}`, `Bearer ${READ}\u0000`, `Bearer ${'a'.repeat(2000)}`]) {
      expect(credentialOf(raw(header)), JSON.stringify(header)).toEqual({ kind: 'malformed' });
    }
  });

  it('refuses two Authorization headers, even two valid ones (Node keeps the first, a proxy may keep the last)', () => {
    expect(credentialOf(raw(`Bearer ${READ}`, `Bearer ${READ}`))).toEqual({ kind: 'malformed' });
    expect(credentialOf(['authorization', 'junk', 'Authorization', `Bearer ${WRITE}`])).toEqual({ kind: 'malformed' });
  });
});
