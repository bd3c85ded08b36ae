import { partitionOf } from './partition';
import type { StoredEvent } from './stored-event';

/** A batch of one partition's events, in the order the source delivered them. */
export interface PartitionBatch {
  readonly partition: number;
  readonly events: readonly StoredEvent[];
}

/**
 * Splits events into per-partition batches of at most `maxEventsPerBatch`, keeping the source
 * order inside each partition (the source order is commit order, in which one stream's
 * versions always ascend). Batches come out partition by partition, in first-seen order.
 */
export function planPartitionBatches(events: readonly StoredEvent[], partitions: number, maxEventsPerBatch: number): PartitionBatch[] {
  if (!Number.isInteger(maxEventsPerBatch) || maxEventsPerBatch < 1) throw new RangeError('maxEventsPerBatch must be a positive integer');
  const byPartition = new Map<number, StoredEvent[]>();
  for (const event of events) {
    const partition = partitionOf(event.streamId, partitions);
    let list = byPartition.get(partition);
    if (!list) byPartition.set(partition, (list = []));
    list.push(event);
  }
  const batches: PartitionBatch[] = [];
  for (const [partition, list] of byPartition) {
    for (let i = 0; i < list.length; i += maxEventsPerBatch) {
      batches.push({ partition, events: list.slice(i, i + maxEventsPerBatch) });
    }
  }
  return batches;
}

/**
 * The queue job id of a batch: derived from its partition and its first and last positions,
 * so re-enqueueing the same batch (an ingest restart replaying from the slot) dedupes in
 * BullMQ. BullMQ job ids may not contain ':' nor be all digits.
 */
export function batchJobId(batch: PartitionBatch): string {
  const first = batch.events[0];
  const last = batch.events[batch.events.length - 1];
  if (!first || !last) throw new RangeError('a batch has at least one event');
  return `p${batch.partition}-${first.position}-${last.position}-${batch.events.length}`;
}
