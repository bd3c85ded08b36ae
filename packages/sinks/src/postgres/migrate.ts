import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import { schema0001 } from './migrations/0001-schema';
import { fleet0002 } from './migrations/0002-fleet';
import { deadLetters0003 } from './migrations/0003-dead-letters';
import { writeGuard0004 } from './migrations/0004-write-guard';
import { partitionFence0005 } from './migrations/0005-partition-fence';
import { crashMarker0006 } from './migrations/0006-crash-marker';
import { partitionCount0007 } from './migrations/0007-partition-count';

/** The publication every pipeline on this database reads. */
export const EVENTS_PUBLICATION = 'ledgerflow_events';

/** Applies every pending migration. Never throws: read `error` and `results`. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ '0001-schema': schema0001, '0002-fleet': fleet0002, '0003-dead-letters': deadLetters0003, '0004-write-guard': writeGuard0004, '0005-partition-fence': partitionFence0005, '0006-crash-marker': crashMarker0006, '0007-partition-count': partitionCount0007 }) },
    migrationTableName: 'ledgerflow_migrations',
    migrationLockTableName: 'ledgerflow_migrations_lock',
  });
  return migrator.migrateToLatest();
}
