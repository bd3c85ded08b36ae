import { createDb } from '@ledgerflow/sinks';
import { freePort, startPrivatePostgres, waitFor, type PrivatePostgres } from '@ledgerflow/testkit';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool } from '../pool';
import { buildServer } from '../server';
import { TEST_AUTH } from '../testing/tokens';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** An API over its own pool to `url`, the way main.ts builds it (with tokens: the probes need none). */
function apiOver(url: string): FastifyInstance {
  const pool = createPool({ connectionString: url, max: 2, onConnectionError: () => undefined });
  const db = createDb(pool);
  const app = buildServer({ db, auth: TEST_AUTH, readinessTimeoutMs: 1000 });
  cleanups.push(async () => {
    await app.close();
    await db.destroy();
  });
  return app;
}

const readyz = async (app: FastifyInstance) => {
  const res = await app.inject({ method: 'GET', url: '/readyz' });
  return { status: res.statusCode, body: res.json<{ status: string; reasons: string[] }>() };
};

describe('GET /readyz', () => {
  it('is 503 with the PostgreSQL reason when nothing listens at the database address', async () => {
    const app = apiOver(`postgres://postgres@127.0.0.1:${await freePort()}/postgres`);
    const answer = await readyz(app);
    expect(answer).toEqual({ status: 503, body: { status: 'not_ready', reasons: [expect.stringMatching(/^postgres: .*ECONNREFUSED/)] } });
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('follows PostgreSQL: 200, 503 while it is stopped (liveness stays 200), 200 once it is back', async () => {
    const server: PrivatePostgres = await startPrivatePostgres();
    cleanups.push(() => server.destroy());
    const app = apiOver(server.adminUrl);
    expect(await readyz(app)).toEqual({ status: 200, body: { status: 'ready', reasons: [] } });

    server.stop();
    const down = await waitFor('readyz 503', async () => {
      const answer = await readyz(app);
      return answer.status === 503 ? answer : undefined;
    });
    expect(down.body.status).toBe('not_ready');
    expect(down.body.reasons).toHaveLength(1);
    expect(down.body.reasons[0]).toMatch(/^postgres: /);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    server.start();
    const up = await waitFor('readyz 200', async () => {
      const answer = await readyz(app);
      return answer.status === 200 ? answer : undefined;
    });
    expect(up.body).toEqual({ status: 'ready', reasons: [] });
  });
});
