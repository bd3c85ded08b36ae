import { isLedgerflowError } from '@ledgerflow/cdc-core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, isApiError } from '../errors';
import { challengeFor } from './auth';
import { noteOutcome } from './request-telemetry';
import { isDatabaseUnavailable, isTransactionConflict } from '../write/pg-errors';

/** Fastify's own request errors, by code, as catalogue errors. */
const FASTIFY_ERRORS: Readonly<Record<string, () => ApiError>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () => new ApiError('MALFORMED_JSON', 'request body is not valid JSON', { field: 'body' }),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new ApiError('MALFORMED_JSON', 'request body is empty but content-type says JSON', { field: 'body' }),
  FST_ERR_CTP_BODY_TOO_LARGE: () => new ApiError('PAYLOAD_TOO_LARGE', 'request body is too large', { field: 'body' }),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new ApiError('UNSUPPORTED_MEDIA_TYPE', 'send the request body as application/json'),
  // Router refusals (through `frameworkErrors`); fastify's own messages would echo the URL.
  FST_ERR_BAD_URL: () => new ApiError('BAD_REQUEST', 'the URL is not validly encoded'),
  FST_ERR_MAX_PARAM_LENGTH: () => new ApiError('URI_TOO_LONG', 'a path segment is too long'),
};

/**
 * Maps whatever a handler threw to a catalogue error. Bad input is always a 4xx; only what
 * the API cannot explain becomes a 500, with a generic message (details go to the log).
 */
export function toApiError(error: unknown): ApiError {
  if (isApiError(error)) return error;
  if (isLedgerflowError(error, 'MONEY_INVALID')) {
    const field = typeof error.details['field'] === 'string' ? error.details['field'] : 'amount';
    return new ApiError('VALIDATION_FAILED', error.message, { field, cause: error });
  }
  if (isLedgerflowError(error, 'CONCURRENCY_CONFLICT')) return new ApiError('CONCURRENCY_CONFLICT', error.message, { retryable: error.retryable, cause: error });
  // A redrive whose version-guarded write lost to another writer: nothing was written, try again.
  if (isLedgerflowError(error, 'STALE_WRITE')) return new ApiError('CONCURRENCY_CONFLICT', 'another writer moved the read model meanwhile; retry', { retryable: true, cause: error });
  // Dead-letter refusals (sinks): their messages name ids the admin sent, never secrets.
  if (isLedgerflowError(error, 'ACCOUNT_NOT_PARKED')) return new ApiError('ACCOUNT_NOT_PARKED', error.message, { cause: error });
  if (isLedgerflowError(error, 'SKIP_REFUSED')) return new ApiError('SKIP_REFUSED', error.message, { cause: error });
  if (isTransactionConflict(error)) return new ApiError('CONCURRENCY_CONFLICT', 'the transaction collided with another one; retry it', { retryable: true, cause: error });
  if (isDatabaseUnavailable(error)) return new ApiError('SERVICE_UNAVAILABLE', 'the database is unavailable; retry later', { retryable: true, cause: error });
  const fastifyError = error as Partial<FastifyError> | null;
  const known = typeof fastifyError?.code === 'string' ? FASTIFY_ERRORS[fastifyError.code] : undefined;
  if (known) return known();
  // Any other client error fastify raised itself (e.g. prototype poisoning, bad content-length).
  if (error instanceof SyntaxError || (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500)) {
    return new ApiError(error instanceof SyntaxError ? 'MALFORMED_JSON' : 'BAD_REQUEST', 'the request could not be read', { cause: error });
  }
  return new ApiError('INTERNAL_ERROR', 'internal error', { cause: error });
}

/**
 * Answers `error` as a catalogue error, logged (5xx with the error, 4xx by code only). Also
 * fastify's `frameworkErrors` handler, for URLs the router refuses before any hook runs.
 */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const apiError = toApiError(error);
  noteOutcome(request, apiError.code, error);
  if (apiError.status >= 500) request.log.error({ err: error, code: apiError.code }, 'request failed');
  else request.log.info({ code: apiError.code, field: apiError.field }, 'request refused');
  const challenge = challengeFor(apiError.code);
  if (challenge !== undefined) void reply.header('www-authenticate', challenge);
  return reply.status(apiError.status).send(apiError.toBody());
}

/** Installs the JSON error and not-found handlers on `app`. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((request, reply) => {
    const apiError = new ApiError('ROUTE_NOT_FOUND', `no route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}`);
    noteOutcome(request, apiError.code);
    return reply.status(apiError.status).send(apiError.toBody());
  });
}
