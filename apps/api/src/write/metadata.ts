/**
 * `events.metadata` of the events one command appends. `correlationId` ties every event of one
 * request together (and to the request log line); `causationId` names the command that caused
 * them. `traceparent`/`tracestate` carry the W3C trace context of the request span, so ingest
 * and the projector can continue (link to) the trace of the command.
 */
export interface EventMetadata {
  readonly correlationId: string;
  readonly causationId: string;
  /** The command type, e.g. `DepositMoney` or `TransferMoney`. */
  readonly command: string;
  /** W3C `traceparent` (`00-<trace-id>-<span-id>-<flags>`) of the request span, when it is traced. */
  readonly traceparent?: string;
  /** W3C `tracestate` of that span, when the caller sent one. */
  readonly tracestate?: string;
}

/** Builds the metadata object, omitting absent optional keys so the stored JSON stays small. */
export function eventMetadata(input: EventMetadata): EventMetadata {
  const { correlationId, causationId, command, traceparent, tracestate } = input;
  return {
    correlationId,
    causationId,
    command,
    ...(traceparent === undefined ? {} : { traceparent }),
    ...(tracestate === undefined ? {} : { tracestate }),
  };
}
