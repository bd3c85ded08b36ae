import { randomUUID } from 'node:crypto';
import { formatMoney } from '@ledgerflow/cdc-core';
import { injectTraceContext } from '@ledgerflow/metrics';
import type { FastifyRequest } from 'fastify';
import type { StreamChange } from '../domain/decide';
import { eventMetadata, type EventMetadata } from '../write/metadata';
import type { CommandOutcome } from '../write/execute-command';

/**
 * Metadata for the events of one command sent in `request`, with the trace context of the
 * active span: the request span, which the handler runs in (see request-telemetry.ts).
 */
export function commandMetadata(request: FastifyRequest, command: string): EventMetadata {
  const { traceparent, tracestate } = injectTraceContext();
  return eventMetadata({ correlationId: request.id, causationId: randomUUID(), command, traceparent, tracestate });
}

/** The fields every single-account command answers with. */
export interface StreamResult {
  readonly accountId: string;
  readonly version: number;
  readonly balance: string;
  readonly status: 'active' | 'closed';
  /** Global position of the last event appended, as a decimal string. */
  readonly position: string;
  readonly eventIds: readonly string[];
}

/** Shapes the outcome of a one-account command. */
export function streamResult(outcome: CommandOutcome): StreamResult {
  const change = outcome.changes[0]!;
  return { ...changeFields(change), position: outcome.position.toString(), eventIds: outcome.events.map((e) => e.eventId) };
}

/** accountId, version, balance and status after a change. */
export function changeFields(change: StreamChange): Pick<StreamResult, 'accountId' | 'version' | 'balance' | 'status'> {
  return { accountId: change.streamId, version: change.next.version, balance: formatMoney(change.next.balance), status: change.next.status };
}
