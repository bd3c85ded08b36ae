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
    expect(decidePartitionCount({ partitions: 4, source: 'set', ...fresh })).toEqual({ kind: 'record', partitions: 4 });
    expect(decidePartitionCount({ partitions: 16, source: 'default', ...fresh })).toEqual({ kind: 'record', partitions: 16 });
  });

  it('goes on when the count set is the recorded one', () => {
    expect(decidePartitionCount({ partitions: 4, source: 'set', recorded: 4, highestCheckpointPartition: 3 })).toEqual({ kind: 'agree', partitions: 4 });
  });

  it('follows the recorded count when none is set', () => {
    expect(decidePartitionCount({ partitions: 16, source: 'default', recorded: 4, highestCheckpointPartition: 3 })).toEqual({ kind: 'agree', partitions: 4 });
  });

  it('refuses, for good, a count set other than the recorded one, either way', () => {
    for (const [configured, recorded] of [
      [4, 16],
      [16, 4],
    ] as const) {
      const error = refusal(decidePartitionCount({ partitions: configured, source: 'set', recorded, highestCheckpointPartition: null }));
      expect(isLedgerflowError(error, 'PARTITION_COUNT_MISMATCH')).toBe(true);
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(`configured with ${configured} partitions (LEDGERFLOW_PARTITIONS), but the database records ${recorded}`);
      expect(error.details).toEqual({ configured, recorded });
    }
  });

  it('refuses a running process whose count the database no longer records', () => {
    const error = refusal(decidePartitionCount({ partitions: 4, source: 'running', recorded: 8, highestCheckpointPartition: null }));
    expect(error.message).toContain('this process is running with 4 partitions, but the database records 8');
    expect(decidePartitionCount({ partitions: 4, source: 'running', recorded: 4, highestCheckpointPartition: 3 })).toEqual({ kind: 'agree', partitions: 4 });
  });

  it('refuses to record a count below a partition the read models already checkpointed (a database from before the record)', () => {
    const error = refusal(decidePartitionCount({ partitions: 4, source: 'set', recorded: null, highestCheckpointPartition: 11 }));
    expect(error.code).toBe('PARTITION_COUNT_MISMATCH');
    expect(error.message).toContain('checkpoint of partition 11');
    expect(refusal(decidePartitionCount({ partitions: 4, source: 'default', recorded: null, highestCheckpointPartition: 11 })).message).toContain('left at the default of 4 partitions');
    // The highest partition fits: partitions 0 … 11 exist under 12 (or more).
    expect(decidePartitionCount({ partitions: 12, source: 'set', recorded: null, highestCheckpointPartition: 11 })).toEqual({ kind: 'record', partitions: 12 });
  });

  it('rejects a count that is not a positive integer as a programming error', () => {
    expect(() => decidePartitionCount({ partitions: 0, source: 'set', ...fresh })).toThrow(RangeError);
    expect(() => decidePartitionCount({ partitions: 2.5, source: 'default', recorded: 2, highestCheckpointPartition: null })).toThrow(RangeError);
  });
});
