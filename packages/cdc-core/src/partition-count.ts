import { LedgerflowError } from './errors';

/** The partition count of a database whose processes do not set one (LEDGERFLOW_PARTITIONS unset). */
export const DEFAULT_PARTITION_COUNT = 16;

/** The partition count a process wants, and where it comes from. */
export interface WantedPartitionCount {
  readonly partitions: number;
  /**
   * `set`: LEDGERFLOW_PARTITIONS, which must be the database's count. `default`: nothing set,
   * the process follows whatever count the database records. `running`: the count a running
   * process is built on (its queues, its metrics), which must still be the database's.
   */
  readonly source: 'set' | 'default' | 'running';
}

/** What a database says about the partition count its pipeline uses. */
export interface PartitionCountFacts extends WantedPartitionCount {
  /** The count the database records, or null before any process recorded one. */
  readonly recorded: number | null;
  /** The highest partition any projection checkpoint names, or null if there is none. */
  readonly highestCheckpointPartition: number | null;
}

/** Go on with a count, record it first, or refuse to start. */
export type PartitionCountDecision =
  | { readonly kind: 'agree'; readonly partitions: number }
  | { readonly kind: 'record'; readonly partitions: number }
  | { readonly kind: 'refuse'; readonly error: LedgerflowError };

const MINE: Record<WantedPartitionCount['source'], (partitions: number) => string> = {
  set: (n) => `configured with ${n} partitions (LEDGERFLOW_PARTITIONS)`,
  default: (n) => `left at the default of ${n} partitions`,
  running: (n) => `running with ${n} partitions`,
};

const HOW_TO_CHANGE = 'every ingest and projector process of one database must use the same count (or leave LEDGERFLOW_PARTITIONS unset to follow the database); to change it, drain the pipeline and run `ledgerflow partitions set N`';

/**
 * Decides which partition count a process starts with. The partition of an account is its
 * id's hash modulo the count (partitionOf): an ingest and a projector that disagree route an
 * account to a queue nobody reads, or split one account's events over two queues applied out of
 * order. So the first process to start records its count in the database; a later process
 * with a count set must match it, one without follows it. A database from before the record
 * (checkpoints but no record) may not take a count below a partition it already checkpointed.
 * Pure: the caller reads the facts and, on `record`, writes the count and decides again.
 */
export function decidePartitionCount(facts: PartitionCountFacts): PartitionCountDecision {
  const { partitions, source, recorded, highestCheckpointPartition } = facts;
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
  const mine = MINE[source](partitions);
  if (recorded !== null) {
    if (source === 'default' || recorded === partitions) return { kind: 'agree', partitions: recorded };
    return refuse(`this process is ${mine}, but the database records ${recorded}: ${HOW_TO_CHANGE}`, partitions, recorded);
  }
  if (highestCheckpointPartition !== null && highestCheckpointPartition >= partitions) {
    return refuse(`this process is ${mine}, but the read models hold a checkpoint of partition ${highestCheckpointPartition}: ${HOW_TO_CHANGE}`, partitions, null);
  }
  return { kind: 'record', partitions };
}

function refuse(message: string, configured: number, recorded: number | null): PartitionCountDecision {
  return { kind: 'refuse', error: new LedgerflowError('PARTITION_COUNT_MISMATCH', message, { retryable: false, details: { configured, recorded } }) };
}
