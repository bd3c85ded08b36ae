import type { FastifyInstance } from 'fastify';

/** GET /healthz: the process is up and serving (liveness; it does not touch PostgreSQL). */
export function registerHealth(app: FastifyInstance): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
}
