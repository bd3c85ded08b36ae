import { partitionQueueName } from '@ledgerflow/cdc-core';
import type { LedgerDatabase } from '@ledgerflow/sinks';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { sql, type Kysely } from 'kysely';

/** What the pipeline looks like at one instant. */
export interface PipelineSnapshot {
  readonly atMs: number;
  readonly eventsInStore: number;
  readonly eventsProjected: number;
  /** Jobs waiting, active or delayed over all partition queues. */
  readonly queueDepth: number;
  /** created_at of the newest event minus that of the newest projected event; null before any. */
  readonly freshnessLagMs: number | null;
  /** Accounts parked by a poison event (G5). */
  readonly parkedAccounts: number;
}

/** Reads pipeline figures from PostgreSQL and Redis; cheap enough to call twice a second. */
export class PipelineProbe {
  readonly #db: Kysely<LedgerDatabase>;
  readonly #queues: Queue[];

  constructor(db: Kysely<LedgerDatabase>, redis: Redis, prefix: string, partitions: number) {
    this.#db = db;
    this.#queues = Array.from({ length: partitions }, (_, p) => new Queue(partitionQueueName(p), { connection: redis, prefix }));
  }

  async snapshot(): Promise<PipelineSnapshot> {
    const [row, depth] = await Promise.all([
      sql<{ events: string; projected: string; newest: Date | null; newest_projected: Date | null; parked: string }>`
        select (select count(*) from events) as events,
          (select count(*) from parked_accounts) as parked,
          (select coalesce(sum(events_applied), 0) from projection_checkpoints) as projected,
          (select created_at from events order by global_position desc limit 1) as newest,
          (select max(updated_at) from account_projections) as newest_projected`.execute(this.#db),
      this.queueDepth(),
    ]);
    const r = row.rows[0]!;
    const lag = r.newest && r.newest_projected ? Math.max(0, r.newest.getTime() - r.newest_projected.getTime()) : null;
    return { atMs: Date.now(), eventsInStore: Number(r.events), eventsProjected: Number(r.projected), queueDepth: depth, freshnessLagMs: lag, parkedAccounts: Number(r.parked) };
  }

  async queueDepth(): Promise<number> {
    const counts = await Promise.all(this.#queues.map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')));
    return counts.reduce((sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0), 0);
  }

  async close(): Promise<void> {
    await Promise.all(this.#queues.map((q) => q.close()));
  }
}
