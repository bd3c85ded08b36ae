import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The fence of a write that covers several partitions (SQLSTATE LF423): it runs on one
 * connection, while each partition's advisory lock lives on its own lock connection, so the
 * statement itself checks that every one of those locks is still held by the connection that
 * took it. A fenced-off member's lock connections are terminated, so its write raises and
 * nothing of it lands (see writeProjections).
 */
export const partitionFence0005: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      create function ledgerflow_require_partition_locks(namespace int, partitions int[], pids int[]) returns void
      language plpgsql as $$
      declare
        held int;
      begin
        select count(*) into held
        from pg_locks l
        join unnest(partitions, pids) as h(partition, pid) on l.objid = h.partition::oid and l.pid = h.pid
        where l.locktype = 'advisory' and l.granted and l.objsubid = 2 and l.classid = namespace::oid
          and l.database = (select oid from pg_database where datname = current_database());
        if held <> cardinality(partitions) then
          raise exception 'partition lock lost: % of % partitions of this write are no longer locked by their lock connections', cardinality(partitions) - held, cardinality(partitions)
            using errcode = 'LF423';
        end if;
      end
      $$`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`drop function if exists ledgerflow_require_partition_locks(int, int[], int[])`.execute(db);
  },
};
