import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The version guard as an error raised inside the write statement itself (SQLSTATE LF409):
 * a projector batch's write is one statement, so the guard refusing any account row must
 * undo the transaction rows and the checkpoint of the same statement, with or without an
 * explicit transaction around it (see writeProjection).
 */
export const writeGuard0004: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      create function ledgerflow_refuse_stale_write(expected int, written int) returns void
      language plpgsql as $$
      begin
        if written <> expected then
          raise exception 'version guard refused % of % account rows: another writer got there first', expected - written, expected
            using errcode = 'LF409';
        end if;
      end
      $$`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`drop function if exists ledgerflow_refuse_stale_write(int, int)`.execute(db);
  },
};
