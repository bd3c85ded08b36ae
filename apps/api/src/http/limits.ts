import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors';

/**
 * Longest accepted request target (path and query string). Our longest legitimate URL is a
 * transactions page with a 512-character cursor; Node's 8 KiB header limit (server.ts) stops
 * anything much longer before it reaches fastify.
 */
export const MAX_URL_LENGTH = 2048;

/** Refuses over-long URLs with 414 URI_TOO_LONG, first thing, before authentication or routing work. */
export function installUrlLimit(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.url.length > MAX_URL_LENGTH) return done(new ApiError('URI_TOO_LONG', `the URL is longer than ${MAX_URL_LENGTH} characters`));
    done();
  });
}
