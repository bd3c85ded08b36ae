import { createHash, timingSafeEqual } from 'node:crypto';
import { LedgerflowError } from '@ledgerflow/cdc-core';
import { isRole, ROLES, type Role } from './roles';

/** Shortest accepted token: 24 characters (e.g. `openssl rand -base64 18` gives 24). */
export const MIN_TOKEN_LENGTH = 24;
/** Longest accepted token; longer ones are refused without hashing. */
export const MAX_TOKEN_LENGTH = 512;
/** RFC 6750 b64token: the characters a bearer token may contain. */
const TOKEN_TEXT = /^[A-Za-z0-9._~+/-]+=*$/;

/** One configured token: only its SHA-256 is kept, never the token itself. */
export interface TokenEntry {
  readonly role: Role;
  readonly sha256: Buffer;
}

/** The configured tokens, by hash. */
export type TokenTable = readonly TokenEntry[];

/** SHA-256 of a token: a fixed 32-byte value, so comparisons take the same time whatever was sent. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** True when `token` has the shape of a token this API could have been given. */
export function isTokenShaped(token: string): boolean {
  return token.length >= MIN_TOKEN_LENGTH && token.length <= MAX_TOKEN_LENGTH && TOKEN_TEXT.test(token);
}

/**
 * The role of a presented token, or undefined when it is not configured. The hashes are
 * compared with timingSafeEqual, every entry every time, so timing tells nothing about which
 * entry (or how much of one) matched.
 */
export function roleOfToken(table: TokenTable, token: string): Role | undefined {
  if (!isTokenShaped(token)) return undefined;
  const presented = hashToken(token);
  let role: Role | undefined;
  for (const entry of table) {
    if (timingSafeEqual(presented, entry.sha256) && role === undefined) role = entry.role;
  }
  return role;
}

/**
 * Parses `API_TOKENS`: comma-separated `role:token` entries (whitespace around entries and
 * parts ignored), e.g. `read:<token>,write:<token>,admin:<token>`. Roles are read, write,
 * admin; a token is 24 to 512 RFC 6750 characters (`A-Z a-z 0-9 - . _ ~ + /`, trailing `=`),
 * and appears once. Errors name the entry by its number and NEVER quote it: any part of it
 * may be a secret (a swapped `token:role` puts the token where the role belongs).
 */
export function parseApiTokens(text: string): TokenTable {
  const entries = text.split(',').map((entry) => entry.trim());
  const table: TokenEntry[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const where = `entry ${index + 1} of ${entries.length}`;
    const colon = entry.indexOf(':');
    if (colon < 0) throw invalid(`${where} is not role:token`);
    const role = entry.slice(0, colon).trim();
    const token = entry.slice(colon + 1).trim();
    if (!isRole(role)) throw invalid(`${where}: the role must be one of ${ROLES.join(', ')}`);
    if (token.length < MIN_TOKEN_LENGTH) throw invalid(`${where}: the token must have at least ${MIN_TOKEN_LENGTH} characters`);
    if (!isTokenShaped(token)) throw invalid(`${where}: the token must have at most ${MAX_TOKEN_LENGTH} characters from A-Z a-z 0-9 - . _ ~ + / (and trailing =)`);
    const sha256 = hashToken(token);
    const key = sha256.toString('hex');
    if (seen.has(key)) throw invalid(`${where}: the token is listed twice (one token, one role)`);
    seen.add(key);
    table.push(Object.freeze({ role, sha256 }));
  });
  return Object.freeze(table);
}

function invalid(message: string): LedgerflowError {
  return new LedgerflowError('CONFIG_INVALID', `API_TOKENS: ${message}`, { details: { variable: 'API_TOKENS' } });
}

/**
 * How the API authenticates: bearer tokens from `API_TOKENS`, or nobody at all (only when
 * `API_AUTH_DISABLED=true` was set on purpose; every caller is then treated as admin).
 */
export type AuthConfig = { readonly mode: 'tokens'; readonly tokens: TokenTable } | { readonly mode: 'disabled' };
