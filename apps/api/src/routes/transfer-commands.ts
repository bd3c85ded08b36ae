import { randomUUID } from 'node:crypto';
import { formatMoney } from '@ledgerflow/cdc-core';
import type { LedgerDatabase } from '@ledgerflow/sinks';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { decideTransfer, type TransferCommand } from '../domain/decide';
import { transferBody } from '../http/schemas';
import { parseInput } from '../http/validate';
import { executeCommand } from '../write/execute-command';
import { commandMetadata } from './command-context';

/**
 * POST /transfers: the withdrawal and the deposit are appended in one transaction, so money
 * is conserved even if the process dies halfway (DESIGN §3).
 */
export function registerTransferCommands(app: FastifyInstance, db: Kysely<LedgerDatabase>): void {
  app.post('/transfers', { config: { command: 'TransferMoney' } }, async (request, reply) => {
    const body = parseInput(transferBody, request.body, 'body');
    const command: TransferCommand = {
      ...body,
      transferId: randomUUID(),
      withdrawalTransactionId: randomUUID(),
      depositTransactionId: randomUUID(),
    };
    const outcome = await executeCommand(db, {
      streamIds: [command.fromAccountId, command.toAccountId],
      decide: (states) => decideTransfer(states.get(command.fromAccountId), states.get(command.toAccountId), command),
      metadata: commandMetadata(request, 'TransferMoney'),
      retryableConflict: true,
    });
    const from = outcome.changes.find((c) => c.streamId === command.fromAccountId)!;
    const to = outcome.changes.find((c) => c.streamId === command.toAccountId)!;
    return reply.status(201).send({
      transferId: command.transferId,
      amount: formatMoney(command.amount),
      fromAccountId: command.fromAccountId,
      toAccountId: command.toAccountId,
      fromVersion: from.next.version,
      toVersion: to.next.version,
      fromBalance: formatMoney(from.next.balance),
      toBalance: formatMoney(to.next.balance),
      withdrawalTransactionId: command.withdrawalTransactionId,
      depositTransactionId: command.depositTransactionId,
      position: outcome.position.toString(),
      eventIds: outcome.events.map((e) => e.eventId),
    });
  });
}
