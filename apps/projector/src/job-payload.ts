import { LedgerflowError, decodeBatch, isUuid, type StoredEvent } from '@ledgerflow/cdc-core';

/**
 * The events of a batch job found in partition `partition`'s queue (`queueName`), or a
 * JOB_PAYLOAD_INVALID error: a payload that does not decode, an event with a malformed id or
 * version (ids end up in uuid casts, so one bad id would roll back every batch the job joins),
 * or another partition's events (its checkpoint would move the wrong partition).
 */
export function readJobPayload(data: unknown, partition: number, queueName: string): readonly StoredEvent[] {
  const batch = decodeBatch(data);
  const badEvent = batch.events.findIndex((e) => !isUuid(e.streamId) || !isUuid(e.eventId) || !Number.isInteger(e.version) || e.version < 1);
  if (badEvent >= 0) throw new LedgerflowError('JOB_PAYLOAD_INVALID', `job payload event ${badEvent} has a malformed id or version`);
  if (batch.partition !== partition) throw new LedgerflowError('JOB_PAYLOAD_INVALID', `job holds partition ${batch.partition}'s events but sits in queue ${queueName}`);
  return batch.events;
}
