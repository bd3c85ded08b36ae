import { randomUUID } from 'node:crypto';
import { formatMoney } from '@ledgerflow/cdc-core';
import type { LedgerDatabase } from '@ledgerflow/sinks';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { decide } from '../domain/decide';
import { accountParams, closeAccountBody, moneyCommandBody, openAccountBody } from '../http/schemas';
import { parseInput } from '../http/validate';
import { executeCommand } from '../write/execute-command';
import { commandMetadata, streamResult } from './command-context';

/**
 * POST /accounts, /accounts/:id/deposits, /accounts/:id/withdrawals, /accounts/:id/close.
 * Each handler only sequences: validate → executeCommand(read → decide → append) → answer.
 */
export function registerAccountCommands(app: FastifyInstance, db: Kysely<LedgerDatabase>): void {
  registerOpen(app, db);
  registerMoneyCommands(app, db);
  registerClose(app, db);
}

function registerOpen(app: FastifyInstance, db: Kysely<LedgerDatabase>): void {
  app.post('/accounts', { config: { command: 'OpenAccount' } }, async (request, reply) => {
    const body = parseInput(openAccountBody, request.body, 'body');
    const accountId = body.accountId ?? randomUUID();
    const command = { type: 'OpenAccount', accountId, ownerName: body.ownerName, initialBalance: body.initialBalance } as const;
    const outcome = await executeCommand(db, {
      streamIds: [accountId],
      decide: (states) => decide(states.get(accountId), command),
      metadata: commandMetadata(request, command.type),
      creates: true,
      retryableConflict: false,
    });
    return reply.status(201).header('location', `/accounts/${accountId}`).send({ ...streamResult(outcome), ownerName: body.ownerName });
  });
}

function registerMoneyCommands(app: FastifyInstance, db: Kysely<LedgerDatabase>): void {
  for (const [path, type] of [
    ['deposits', 'DepositMoney'],
    ['withdrawals', 'WithdrawMoney'],
  ] as const) {
    app.post(`/accounts/:id/${path}`, { config: { command: type } }, async (request, reply) => {
      const { id } = parseInput(accountParams, request.params, 'params');
      const body = parseInput(moneyCommandBody, request.body, 'body');
      const transactionId = randomUUID();
      const command = { type, accountId: id, amount: body.amount, transactionId, expectedVersion: body.expectedVersion };
      const outcome = await executeCommand(db, {
        streamIds: [id],
        decide: (states) => decide(states.get(id), command),
        metadata: commandMetadata(request, type),
        retryableConflict: body.expectedVersion === undefined,
      });
      return reply.status(201).send({ ...streamResult(outcome), transactionId, amount: formatMoney(body.amount) });
    });
  }
}

function registerClose(app: FastifyInstance, db: Kysely<LedgerDatabase>): void {
  app.post('/accounts/:id/close', { config: { command: 'CloseAccount' } }, async (request, reply) => {
    const { id } = parseInput(accountParams, request.params, 'params');
    const body = parseInput(closeAccountBody, request.body, 'body');
    const command = { type: 'CloseAccount', accountId: id, reason: body.reason, expectedVersion: body.expectedVersion } as const;
    const outcome = await executeCommand(db, {
      streamIds: [id],
      decide: (states) => decide(states.get(id), command),
      metadata: commandMetadata(request, command.type),
      retryableConflict: body.expectedVersion === undefined,
    });
    return reply.status(200).send(streamResult(outcome));
  });
}
