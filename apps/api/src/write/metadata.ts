/**
 * `events.metadata` of the events one command appends. `correlationId` ties every event of one
 * request together (and to the request log line); `causationId` names the command that caused
 * them. `traceparent` is reserved for the W3C trace context of the appending span.
 */
export interface EventMetadata {
  readonly correlationId: string;
  readonly causationId: string;
  /** The command type, e.g. `DepositMoney` or `TransferMoney`. */
  readonly command: string;
  /** W3C trace context (`00-<trace-id>-<span-id>-<flags>`), once tracing is wired in. */
  readonly traceparent?: string;
}

/** Builds the metadata object, omitting absent optional keys so the stored JSON stays small. */
export function eventMetadata(input: EventMetadata): EventMetadata {
  const { correlationId, causationId, command, traceparent } = input;
  return traceparent === undefined ? { correlationId, causationId, command } : { correlationId, causationId, command, traceparent };
}
