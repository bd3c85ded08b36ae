export type { LedgerDatabase } from './postgres/database';
export { createDb } from './postgres/create-db';
export { EVENTS_PUBLICATION, migrateToLatest } from './postgres/migrate';
export { readEventsAfter, readStream, readVersionRanges } from './postgres/event-store-reads';
export type { VersionRange } from './postgres/event-store-reads';
export { ACCOUNTS_PROJECTION, loadAccounts, writeProjection } from './postgres/read-model-store';
export type { ProjectionWrite } from './postgres/read-model-store';
export { verifyReadModels } from './postgres/verify';
export type { VerifyReport } from './postgres/verify';
