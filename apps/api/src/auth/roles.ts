/** The API's roles, weakest first: each one includes every role before it (admin ⊇ write ⊇ read). */
export const ROLES = ['read', 'write', 'admin'] as const;

/** A caller's role: `read` (queries), `write` (commands), `admin` (operations such as DLQ and rebuild). */
export type Role = (typeof ROLES)[number];

/** Who may call a route: callers holding at least that role, or anyone (`public`). */
export type RouteAccess = Role | 'public';

/** True when `value` names a role. */
export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** True when a caller holding `held` may call a route that needs `needed`. */
export function roleSatisfies(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/**
 * The access a route needs: what it declares (`config: { auth }`), else by method — reads
 * (GET, HEAD) need `read`, anything else `write`. Unknown routes need `read`: only callers with
 * a valid token learn which routes exist, and a 404 never becomes a 403.
 */
export function accessFor(method: string, declared: RouteAccess | undefined, isNotFound: boolean): RouteAccess {
  if (isNotFound) return 'read';
  if (declared !== undefined) return declared;
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}
