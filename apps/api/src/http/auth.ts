import type { FastifyInstance, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { credentialOf } from '../auth/bearer';
import { accessFor, roleSatisfies, type Role, type RouteAccess } from '../auth/roles';
import { roleOfToken, type AuthConfig, type TokenTable } from '../auth/tokens';
import { ApiError, type ApiErrorCode } from '../errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Who may call the route: `'public'`, or the least role needed (admin ⊇ write ⊇ read).
     * Unset: `read` for GET/HEAD, `write` for anything else. An admin route is one option:
     * `app.post('/admin/rebuild', { config: { auth: 'admin' } }, handler)`.
     */
    auth?: RouteAccess;
  }
}

const REALM = 'Bearer realm="ledgerflow"';

/** The `WWW-Authenticate` challenge (RFC 6750 §3) an auth refusal is sent with. */
export function challengeFor(code: ApiErrorCode): string | undefined {
  if (code === 'UNAUTHENTICATED') return REALM;
  if (code === 'FORBIDDEN') return `${REALM}, error="insufficient_scope"`;
  return undefined;
}

/**
 * Checks every request's bearer token against the route's access, in `onRequest`: before the
 * body is read, so an anonymous caller cannot make the API parse (or even buffer) anything.
 * With auth disabled nothing is installed: every caller may do everything.
 */
export function installAuth(app: FastifyInstance, auth: AuthConfig): void {
  if (auth.mode === 'disabled') return;
  const tokens = auth.tokens;
  app.addHook('onRequest', (request: FastifyRequest, _reply, done: HookHandlerDoneFunction) => {
    try {
      authorize(tokens, request);
      done();
    } catch (error) {
      done(error as Error);
    }
  });
}

function authorize(tokens: TokenTable, request: FastifyRequest): void {
  const needed = accessFor(request.method, request.routeOptions.config.auth, request.is404);
  if (needed === 'public') return;
  const role = authenticate(tokens, request.raw.rawHeaders);
  if (!roleSatisfies(role, needed)) throw new ApiError('FORBIDDEN', `this route needs the ${needed} role`);
}

/** The caller's role. Messages say what is wrong, never what was sent (it may be a real token). */
function authenticate(tokens: TokenTable, rawHeaders: readonly string[]): Role {
  const credential = credentialOf(rawHeaders);
  if (credential.kind === 'missing') throw new ApiError('UNAUTHENTICATED', 'send the header Authorization: Bearer <token>');
  if (credential.kind === 'malformed') throw new ApiError('UNAUTHENTICATED', 'send exactly one Authorization header of the form "Bearer <token>"');
  const role = roleOfToken(tokens, credential.token);
  if (role === undefined) throw new ApiError('UNAUTHENTICATED', 'the bearer token is not valid');
  return role;
}
