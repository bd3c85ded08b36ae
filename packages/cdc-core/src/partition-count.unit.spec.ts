import { describe, expect, it } from 'vitest';
import { isLedgerflowError } from './errors';
import { decidePartitionCount, type PartitionCountDecision } from './partition-count';

function refusal(decision: PartitionCountDecision) {
  if (decision.kind !== 'refuse') throw new Error(`expected a refusal, got ${decision.kind}`);
  return decision.error;
}

describe('decidePartitionCount', () => {
  it('records the configured count in a database that has neither a record nor checkpoints', () => {
    expect(decidePartitionCount({ configured: 16, recorded: null, highestCheckpointPartition: null })).toEqual({ kind: 'record' });
  });

  it('goes on when the configured count is the recorded one', () => {
    expect(decidePartitionCount({ configured: 4, recorded: 4, highestCheckpointPartition: 3 })).toEqual({ kind: 'agree' });
  });

  it('refuses, for good, a count other than the recorded one, either way', () => {
    for (const [configured, recorded] of [
      [4, 16],
      [16, 4],
    ] as const) {
      const error = refusal(decidePartitionCount({ configured, recorded, highestCheckpointPartition: null }));
      expect(isLedgerflowError(error, 'PARTITION_COUNT_MISMATCH')).toBe(true);
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(`configured with ${configured} partitions, but the database records ${recorded}`);
      expect(error.details).toEqual({ configured, recorded });
    }
  });

  it('refuses to record a count below a partition the read models already checkpointed (a database from before the record)', () => {
    const error = refusal(decidePartitionCount({ configured: 4, recorded: null, highestCheckpointPartition: 11 }));
    expect(error.code).toBe('PARTITION_COUNT_MISMATCH');
    expect(error.message).toContain('checkpoint of partition 11');
    // The highest partition fits: partitions 0 … 11 exist under 12 (or more).
    expect(decidePartitionCount({ configured: 12, recorded: null, highestCheckpointPartition: 11 })).toEqual({ kind: 'record' });
  });

  it('rejects a count that is not a positive integer as a programming error', () => {
    expect(() => decidePartitionCount({ configured: 0, recorded: null, highestCheckpointPartition: null })).toThrow(RangeError);
    expect(() => decidePartitionCount({ configured: 2.5, recorded: 2, highestCheckpointPartition: null })).toThrow(RangeError);
  });
});
