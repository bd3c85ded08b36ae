import { randomBytes } from 'node:crypto';
import { ROLES, type Role } from '../auth/roles';
import { parseApiTokens, type AuthConfig } from '../auth/tokens';

/** Fresh random tokens per test process, one per role (test-only: real ones come from API_TOKENS). */
export const TEST_TOKENS: Readonly<Record<Role, string>> = Object.freeze({
  read: randomBytes(24).toString('base64url'),
  write: randomBytes(24).toString('base64url'),
  admin: randomBytes(24).toString('base64url'),
});

/** TEST_TOKENS in the `API_TOKENS` format, for spawned API processes. */
export const TEST_API_TOKENS = ROLES.map((role) => `${role}:${TEST_TOKENS[role]}`).join(',');

/** ServerDeps.auth for TEST_TOKENS, parsed the way config.ts parses API_TOKENS. */
export const TEST_AUTH: AuthConfig = Object.freeze({ mode: 'tokens', tokens: parseApiTokens(TEST_API_TOKENS) });

/** `{ authorization: 'Bearer …' }` for the test token of `role`. */
export function bearer(role: Role): { authorization: string } {
  return { authorization: `Bearer ${TEST_TOKENS[role]}` };
}
