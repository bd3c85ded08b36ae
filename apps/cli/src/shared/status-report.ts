import type { PipelineStatus } from '@ledgerflow/sinks';

export interface QueueStatus {
  readonly partition: number;
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly failed: number;
  /** Age of the oldest job not yet done: how far behind this partition's projection is. */
  readonly oldestJobAgeMs: number;
}

export interface StatusReport {
  readonly at: string;
  readonly redisPrefix: string;
  /** The count the database records (null before any process started), this shell's LEDGERFLOW_PARTITIONS (null: unset) and the count shown. */
  readonly partitionCount: { readonly recorded: number | null; readonly configured: number | null; readonly shown: number };
  readonly pipeline: PipelineStatus;
  /** Null when Redis could not be reached. */
  readonly queues: QueueStatus[] | null;
}

const pad = (value: string | number, width: number) => String(value).padStart(width);
const n = (value: number | bigint) => value.toLocaleString('en-US');

/** Renders a status report as text tables. Pure. */
export function formatStatus(report: StatusReport): string[] {
  const { pipeline, queues } = report;
  const lines = [`events in store ${n(pipeline.eventsInStore)}, head position ${n(pipeline.headPosition)}   (redis prefix ${report.redisPrefix})`, ...partitionCountLines(report.partitionCount), ''];
  lines.push('partition  owner                                  checkpoint     applied   queue  active  failed      lag');
  for (const p of pipeline.partitions) {
    const q = queues?.find((x) => x.partition === p.partition);
    const depth = q ? q.waiting + q.delayed : '?';
    const lag = q ? (q.waiting + q.active + q.delayed > 0 ? `${(q.oldestJobAgeMs / 1000).toFixed(1)} s` : '0 s') : '?';
    lines.push(
      `${pad(p.partition, 9)}  ${(p.owner ?? '(none)').padEnd(36)} ${pad(n(p.checkpointPosition), 11)} ${pad(n(p.eventsApplied), 11)} ${pad(depth, 7)} ${pad(q?.active ?? '?', 7)} ${pad(q?.failed ?? '?', 7)} ${pad(lag, 8)}`,
    );
  }
  if (!queues) lines.push('(Redis unreachable: queue figures unknown)');
  lines.push('', 'projector members');
  if (pipeline.members.length === 0) lines.push('  (none)');
  for (const m of pipeline.members) {
    lines.push(`  ${m.memberId}  ${m.host}:${m.osPid}  heartbeat ${(m.heartbeatAgeMs / 1000).toFixed(1)} s ago  partitions [${m.partitions.join(', ')}]`);
  }
  lines.push('', 'replication slots');
  if (pipeline.slots.length === 0) lines.push('  (none)');
  for (const s of pipeline.slots) {
    lines.push(`  ${s.slotName}  ${s.active ? 'active' : 'INACTIVE'}  confirmed ${s.confirmedFlushLsn ?? '-'}  retained WAL ${n(s.retainedWalBytes)} B  unconfirmed ${n(s.unconfirmedWalBytes)} B`);
  }
  return lines;
}

/** Which partition count the report shows, and a warning when this shell sets another. */
function partitionCountLines({ recorded, configured, shown }: StatusReport['partitionCount']): string[] {
  if (recorded === null) {
    const whose = configured === null ? 'the default' : 'LEDGERFLOW_PARTITIONS';
    return [`${shown} partitions (${whose}; the database records none yet: the first ingest or projector to start records its own)`];
  }
  const lines = [`${recorded} partitions (recorded by the database)`];
  if (configured !== null && recorded !== configured) lines.push(`warning: LEDGERFLOW_PARTITIONS is ${configured} here; ingest and projectors started so would refuse to start on this database`);
  return lines;
}
