import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The partition count of the database's pipeline: one row, written by the first ingest or
 * projector process that starts (agreePartitionCount), not by the migration, which cannot know
 * the operator's LEDGERFLOW_PARTITIONS. Every later process must be configured with the same
 * count: processes that disagree would route an account's events to a queue nobody reads, or
 * split them over two queues applied out of order (decision 017).
 */
export const partitionCount0007: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`create table ledgerflow_partitioning (
      only_row boolean primary key default true check (only_row),
      partitions int not null check (partitions between 1 and 1024),
      recorded_at timestamptz not null default now()
    )`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`drop table if exists ledgerflow_partitioning`.execute(db);
  },
};
