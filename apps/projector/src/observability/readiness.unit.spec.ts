import { describe, expect, it } from 'vitest';
import { partitionDutyProblem, projectorReadiness } from './readiness';

describe('partitionDutyProblem', () => {
  it('is fine with a member that owns a partition, whatever the fleet', () => {
    expect(partitionDutyProblem({ owned: 1, members: 1, partitions: 4 })).toBeUndefined();
    expect(partitionDutyProblem({ owned: 2, members: 9, partitions: 4 })).toBeUndefined();
  });

  it('is fine with an idle member only when members outnumber partitions', () => {
    expect(partitionDutyProblem({ owned: 0, members: 5, partitions: 4 })).toBeUndefined();
    expect(partitionDutyProblem({ owned: 0, members: 4, partitions: 4 })).toBe("owns none of the 4 partitions, and the fleet's 4 live member(s) do not outnumber them");
    expect(partitionDutyProblem({ owned: 0, members: 1, partitions: 16 })).toMatch(/owns none of the 16 partitions/);
  });
});

describe('projectorReadiness', () => {
  const up = async () => 'ok';
  it('is ready when every check passes', async () => {
    expect(await projectorReadiness({ postgres: up, redis: up, duty: () => ({ owned: 1, members: 1, partitions: 2 }) })).toEqual({ ready: true, reasons: [] });
  });

  it('names each failing check, in a stable order', async () => {
    const readiness = await projectorReadiness({
      postgres: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
      redis: async () => Promise.reject(new Error('not connected (reconnecting)')),
      duty: () => ({ owned: 0, members: 2, partitions: 2 }),
    });
    expect(readiness.ready).toBe(false);
    expect(readiness.reasons).toEqual([
      'postgres: connect ECONNREFUSED 127.0.0.1:5432',
      'redis: not connected (reconnecting)',
      "partitions: owns none of the 2 partitions, and the fleet's 2 live member(s) do not outnumber them",
    ]);
  });
});
