import { isLedgerflowError } from '@ledgerflow/cdc-core';
import { replayAccount } from '@ledgerflow/projections';
import { listParkedAccounts, readAccountDeadLetters, readDeadLetterSummary, redriveParkedAccount, skipEvent, type LedgerDatabase } from '@ledgerflow/sinks';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { redriveResponse, skipRefusal } from '../admin/dlq-outcomes';
import { ApiError } from '../errors';
import { noteOutcome } from '../http/request-telemetry';
import { dlqAccountParams, dlqListQuery, eventParams, redriveBody, skipBody } from '../http/schemas';
import { parseInput } from '../http/validate';
import { readEventFacts } from '../read/event-facts';

/** Every route here is for operators only. */
const ADMIN = { config: { auth: 'admin' } } as const;

/** GET /admin/dlq lists this many parked accounts unless asked for fewer (the CLI's default too). */
export const DEFAULT_DLQ_LIMIT = 1000;

/**
 * The dead-letter store of parked accounts (DESIGN G5), for admins, with the semantics of
 * `ledgerflow dlq list | show | redrive | skip`:
 * - GET /admin/dlq: parked accounts, oldest first, and the store's counts;
 * - GET /admin/dlq/:accountId: one account's failed and held events and its skips (404 ACCOUNT_NOT_PARKED);
 * - POST /admin/dlq/:accountId/redrive: replays the account from the event store: 200 unparked,
 *   409 ACCOUNT_STILL_PARKED with the new failure, 404 ACCOUNT_NOT_PARKED;
 * - POST /admin/events/:eventId/skip `{ reason }`: records a skip for the next redrive
 *   (200; 422 SKIP_REFUSED with a `reason`; 404 EVENT_NOT_FOUND).
 */
export function registerAdminDlq(app: FastifyInstance, db: Kysely<LedgerDatabase>): void {
  app.get('/admin/dlq', ADMIN, async (request) => {
    const query = parseInput(dlqListQuery, request.query, 'query');
    const [accounts, summary] = await Promise.all([listParkedAccounts(db, query.limit ?? DEFAULT_DLQ_LIMIT), readDeadLetterSummary(db)]);
    return { accounts, summary };
  });

  app.get('/admin/dlq/:accountId', ADMIN, async (request) => {
    const { accountId } = parseInput(dlqAccountParams, request.params, 'params');
    const { parked, events, skipped } = await readAccountDeadLetters(db, accountId);
    if (!parked) throw new ApiError('ACCOUNT_NOT_PARKED', `account ${accountId} is not parked`);
    return { accountId, parked, events, skipped };
  });

  registerRedrive(app, db);
  registerSkip(app, db);
}

function registerRedrive(app: FastifyInstance, db: Kysely<LedgerDatabase>): void {
  app.post('/admin/dlq/:accountId/redrive', ADMIN, async (request, reply) => {
    const { accountId } = parseInput(dlqAccountParams, request.params, 'params');
    parseInput(redriveBody, request.body, 'body');
    const { status, body } = redriveResponse(await redriveParkedAccount(db, accountId, replayAccount));
    // An audit line: who (request id) redrove what, and how it ended.
    request.log.info({ accountId, unparked: body.unparked, applied: body.applied, version: body.version }, 'dlq redrive');
    if (status === 409) noteOutcome(request, body.error.code);
    return reply.status(status).send(body);
  });
}

function registerSkip(app: FastifyInstance, db: Kysely<LedgerDatabase>): void {
  app.post('/admin/events/:eventId/skip', ADMIN, async (request) => {
    const { eventId } = parseInput(eventParams, request.params, 'params');
    const { reason } = parseInput(skipBody, request.body, 'body');
    try {
      const result = await skipEvent(db, eventId, reason);
      // The reason is kept in skipped_events; the log only says that the skip happened.
      request.log.info({ eventId, accountId: result.accountId, version: result.version, recorded: result.recorded }, 'dlq skip');
      return result;
    } catch (error) {
      // Only a SKIP_REFUSED needs the facts that tell its causes apart.
      const facts = isLedgerflowError(error, 'SKIP_REFUSED') ? await readEventFacts(db, eventId) : undefined;
      throw skipRefusal(error, facts);
    }
  });
}
