import type { Instruments } from '@ledgerflow/metrics';
import type { LedgerDatabase } from '@ledgerflow/sinks';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { ApiError } from '../errors';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { accountParams, transactionsQuery } from '../http/schemas';
import { parseInput } from '../http/validate';
import { findAccount, listTransactions } from '../read/account-reads';

/** Page size when the client does not ask for one. */
export const DEFAULT_PAGE_SIZE = 50;

const notFound = (id: string) => new ApiError('ACCOUNT_NOT_FOUND', `account ${id} is unknown or not projected yet`);

/** Runs a read-model query, recording its duration (failures included) under `query`. */
async function timed<T>(instruments: Instruments, query: 'account' | 'transactions', run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await run();
  } finally {
    instruments.projectionQueryDuration.record((performance.now() - started) / 1000, { query });
  }
}

/**
 * GET /accounts/:id and GET /accounts/:id/transactions, served from the read models: they
 * are eventually consistent, so a just-created account may answer 404 for a moment.
 */
export function registerAccountQueries(app: FastifyInstance, db: Kysely<LedgerDatabase>, instruments: Instruments): void {
  app.get('/accounts/:id', async (request) => {
    const { id } = parseInput(accountParams, request.params, 'params');
    const account = await timed(instruments, 'account', () => findAccount(db, id));
    if (!account) throw notFound(id);
    return account;
  });

  app.get('/accounts/:id/transactions', async (request) => {
    const { id } = parseInput(accountParams, request.params, 'params');
    const query = parseInput(transactionsQuery, request.query, 'query');
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (!(await timed(instruments, 'account', () => findAccount(db, id)))) throw notFound(id);
    const page = await timed(instruments, 'transactions', () => listTransactions(db, id, query.limit ?? DEFAULT_PAGE_SIZE, after));
    return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
  });
}
