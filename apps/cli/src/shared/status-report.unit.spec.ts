import { describe, expect, it } from 'vitest';
import { formatStatus, type StatusReport } from './status-report';

const report = (queues: StatusReport['queues'], partitionCount: StatusReport['partitionCount'] = { recorded: 2, configured: null, shown: 2 }): StatusReport => ({
  at: '2026-01-01T00:00:00.000Z',
  redisPrefix: 'ledgerflow-x',
  partitionCount,
  pipeline: {
    headPosition: 1234n,
    eventsInStore: 1234n,
    partitions: [
      { partition: 0, owner: 'member-a', checkpointPosition: 1200n, eventsApplied: 600n, lastAppliedAt: null },
      { partition: 1, owner: null, checkpointPosition: 0n, eventsApplied: 0n, lastAppliedAt: null },
    ],
    members: [{ memberId: 'member-a', host: 'h', osPid: 42, startedAt: new Date(0), heartbeatAgeMs: 400, partitions: [0] }],
    slots: [{ slotName: 'ledgerflow_x', active: true, confirmedFlushLsn: '0/1', retainedWalBytes: 2048, unconfirmedWalBytes: 0 }],
  },
  queues,
});

describe('formatStatus', () => {
  it('shows owners, checkpoints, queue depth, lag, members and slots', () => {
    const text = formatStatus(
      report([
        { partition: 0, waiting: 3, active: 1, delayed: 0, failed: 0, oldestJobAgeMs: 2500 },
        { partition: 1, waiting: 0, active: 0, delayed: 0, failed: 2, oldestJobAgeMs: 0 },
      ]),
    ).join('\n');
    expect(text).toMatch(/^\s+0\s+member-a\s+1,200\s+600\s+3\s+1\s+0\s+2\.5 s$/m);
    expect(text).toMatch(/^\s+1\s+\(none\)\s+0\s+0\s+0\s+0\s+2\s+0 s$/m);
    expect(text).toContain('member-a  h:42  heartbeat 0.4 s ago  partitions [0]');
    expect(text).toContain('ledgerflow_x  active  confirmed 0/1  retained WAL 2,048 B');
  });

  it('names the partition count it shows, and warns when this shell sets another', () => {
    const agreed = formatStatus(report(null)).join('\n');
    expect(agreed).toContain('2 partitions (recorded by the database)');
    expect(agreed).not.toContain('warning');
    expect(formatStatus(report(null, { recorded: 2, configured: 2, shown: 2 })).join('\n')).not.toContain('warning');
    const differing = formatStatus(report(null, { recorded: 2, configured: 16, shown: 2 })).join('\n');
    expect(differing).toContain('2 partitions (recorded by the database)');
    expect(differing).toContain('warning: LEDGERFLOW_PARTITIONS is 16 here');
    expect(formatStatus(report(null, { recorded: null, configured: 8, shown: 8 })).join('\n')).toContain('8 partitions (LEDGERFLOW_PARTITIONS; the database records none yet');
    expect(formatStatus(report(null, { recorded: null, configured: null, shown: 16 })).join('\n')).toContain('16 partitions (the default; the database records none yet');
  });

  it('says so when Redis is unreachable', () => {
    expect(formatStatus(report(null)).join('\n')).toContain('Redis unreachable');
  });
});
