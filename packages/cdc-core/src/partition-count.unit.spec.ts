import { describe, expect, it } from 'vitest';
import { isLedgerflowError } from './errors';
import { decidePartitionCount, type PartitionCountDecision } from './partition-count';

function refusal(decision: PartitionCountDecision) {
  if (decision.kind !== 'refuse') throw new Error(`expected a refusal, got ${decision.kind}`);
  return decision.error;
}

const fresh = { recorded: null, highestCheckpointPartition: null };

describe('decidePartitionCount', () => {
  it('records the wanted count, set or default, in a database that has neither a record nor checkpoints', () => {
    expect(decidePartitionCount({ partitions: 4, explicit: true, ...fresh })).toEqual({ kind: 'record', partitions: 4 });
    expect(decidePartitionCount({ partitions: 16, explicit: false, ...fresh })).toEqual({ kind: 'record', partitions: 16 });
  });

  it('goes on when the count set is the recorded one', () => {
    expect(decidePartitionCount({ partitions: 4, explicit: true, recorded: 4, highestCheckpointPartition: 3 })).toEqual({ kind: 'agree', partitions: 4 });
  });

  it('follows the recorded count when none is set', () => {
    expect(decidePartitionCount({ partitions: 16, explicit: false, recorded: 4, highestCheckpointPartition: 3 })).toEqual({ kind: 'agree', partitions: 4 });
  });

  it('refuses, for good, a count set other than the recorded one, either way', () => {
    for (const [configured, recorded] of [
      [4, 16],
      [16, 4],
    ] as const) {
      const error = refusal(decidePartitionCount({ partitions: configured, explicit: true, recorded, highestCheckpointPartition: null }));
      expect(isLedgerflowError(error, 'PARTITION_COUNT_MISMATCH')).toBe(true);
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(`configured with ${configured} partitions (LEDGERFLOW_PARTITIONS), but the database records ${recorded}`);
      expect(error.details).toEqual({ configured, recorded });
    }
  });

  it('refuses to record a count below a partition the read models already checkpointed (a database from before the record)', () => {
    const error = refusal(decidePartitionCount({ partitions: 4, explicit: true, recorded: null, highestCheckpointPartition: 11 }));
    expect(error.code).toBe('PARTITION_COUNT_MISMATCH');
    expect(error.message).toContain('checkpoint of partition 11');
    expect(refusal(decidePartitionCount({ partitions: 4, explicit: false, recorded: null, highestCheckpointPartition: 11 })).message).toContain('left at the default of 4 partitions');
    // The highest partition fits: partitions 0 … 11 exist under 12 (or more).
    expect(decidePartitionCount({ partitions: 12, explicit: true, recorded: null, highestCheckpointPartition: 11 })).toEqual({ kind: 'record', partitions: 12 });
  });

  it('rejects a count that is not a positive integer as a programming error', () => {
    expect(() => decidePartitionCount({ partitions: 0, explicit: true, ...fresh })).toThrow(RangeError);
    expect(() => decidePartitionCount({ partitions: 2.5, explicit: false, recorded: 2, highestCheckpointPartition: null })).toThrow(RangeError);
  });
});
