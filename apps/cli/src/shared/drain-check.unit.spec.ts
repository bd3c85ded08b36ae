import { describe, expect, it } from 'vitest';
import { drainRefusals, type DrainState } from './drain-check';

const drained: DrainState = { activeSlots: [], liveMembers: [], busyQueues: [], parkedAccounts: 0 };

describe('drainRefusals', () => {
  it('has nothing to say about a drained pipeline', () => {
    expect(drainRefusals(drained)).toEqual([]);
  });

  it('names every reason a count change would re-route events in flight', () => {
    const reasons = drainRefusals({ activeSlots: ['ledgerflow_x'], liveMembers: ['member-a'], busyQueues: [{ partition: 3, jobs: 2 }, { partition: 9, jobs: 1 }], parkedAccounts: 5 });
    expect(reasons).toEqual([
      'ingest is running (replication slot ledgerflow_x is in use): stop it first',
      'projectors are running (member-a): let them empty the queues, then stop them',
      '3 jobs are still queued (p3: 2, p9: 1): run the projectors until every queue is empty',
      '5 accounts are parked: redrive or skip them first (ledgerflow dlq list)',
    ]);
  });

  it('refuses for any one reason alone', () => {
    expect(drainRefusals({ ...drained, activeSlots: ['s'] })).toHaveLength(1);
    expect(drainRefusals({ ...drained, liveMembers: ['m'] })).toHaveLength(1);
    expect(drainRefusals({ ...drained, busyQueues: [{ partition: 0, jobs: 1 }] })).toHaveLength(1);
    expect(drainRefusals({ ...drained, parkedAccounts: 1 })).toHaveLength(1);
  });

  it('lists at most eight busy queues', () => {
    const busyQueues = Array.from({ length: 12 }, (_, partition) => ({ partition, jobs: 1 }));
    expect(drainRefusals({ ...drained, busyQueues })[0]).toBe('12 jobs are still queued (p0: 1, p1: 1, p2: 1, p3: 1, p4: 1, p5: 1, p6: 1, p7: 1, …): run the projectors until every queue is empty');
  });
});
