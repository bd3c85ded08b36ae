import { LedgerflowError } from './errors';

/** What a database says about the partition count its pipeline uses. */
export interface PartitionCountFacts {
  /** The count this process is configured with (LEDGERFLOW_PARTITIONS or its default). */
  readonly configured: number;
  /** The count the database records, or null before any process recorded one. */
  readonly recorded: number | null;
  /** The highest partition any projection checkpoint names, or null if there is none. */
  readonly highestCheckpointPartition: number | null;
}

/** Go on with the recorded count, record the configured one first, or refuse to start. */
export type PartitionCountDecision = { readonly kind: 'agree' } | { readonly kind: 'record' } | { readonly kind: 'refuse'; readonly error: LedgerflowError };

const HOW_TO_CHANGE = 'every ingest and projector process of one database must use the same LEDGERFLOW_PARTITIONS; to change it, drain the queues first (README, "Changing the partition count")';

/**
 * Decides whether a process may start with its configured partition count. The partition of an
 * account is its id's hash modulo the count (partitionOf): an ingest and a projector that
 * disagree route an account to a queue nobody reads, or split one account's events over two
 * queues that are applied out of order. So the first process to start records its count in the
 * database, and every later one must match it. A database from before the record (it has
 * checkpoints but no record) may not take a count below a partition it already checkpointed.
 * Pure: the caller reads the facts and, on `record`, writes the count and decides again.
 */
export function decidePartitionCount(facts: PartitionCountFacts): PartitionCountDecision {
  const { configured, recorded, highestCheckpointPartition } = facts;
  if (!Number.isInteger(configured) || configured < 1) throw new RangeError(`partitions must be a positive integer, got ${configured}`);
  if (recorded !== null) {
    if (recorded === configured) return { kind: 'agree' };
    return refuse(`this process is configured with ${configured} partitions, but the database records ${recorded}: ${HOW_TO_CHANGE}`, configured, recorded);
  }
  if (highestCheckpointPartition !== null && highestCheckpointPartition >= configured) {
    return refuse(`this process is configured with ${configured} partitions, but the read models hold a checkpoint of partition ${highestCheckpointPartition}: ${HOW_TO_CHANGE}`, configured, null);
  }
  return { kind: 'record' };
}

function refuse(message: string, configured: number, recorded: number | null): PartitionCountDecision {
  return { kind: 'refuse', error: new LedgerflowError('PARTITION_COUNT_MISMATCH', message, { retryable: false, details: { configured, recorded } }) };
}
