import { describe, expect, it } from 'vitest';
import { completedJobsToKeep } from './job-retention';

describe('completedJobsToKeep', () => {
  it('keeps twice the jobs of one partition that a replay of two full flushes can hold', () => {
    expect(completedJobsToKeep(20_000, 1000)).toBe(80); // the defaults: 2 × 20 jobs, twice
    expect(completedJobsToKeep(20_001, 1000)).toBe(84); // a partial job counts
    expect(completedJobsToKeep(50_000, 100)).toBe(2000);
  });

  it('never keeps fewer than 16', () => {
    expect(completedJobsToKeep(1000, 1000)).toBe(16);
  });
});
