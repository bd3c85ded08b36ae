import type { CliConfig } from '../config';
import { ensureDatabase } from '../shared/database-admin';
import { migrateDatabase } from '../shared/migrate-database';

/** `ledgerflow migrate`: creates the database if needed and applies pending migrations. */
export async function runMigrate(config: CliConfig): Promise<number> {
  const created = await ensureDatabase(config.databaseUrl);
  if (created) console.log(`created database ${new URL(config.databaseUrl).pathname.slice(1)}`);
  const applied = await migrateDatabase(config.databaseUrl);
  console.log(applied.length === 0 ? 'migrate: schema is up to date' : `migrate: applied ${applied.join(', ')}`);
  return 0;
}
