import { replayAccount } from '@ledgerflow/projections';
import { redriveParkedAccount, type LedgerDatabase, type RedriveOptions, type RedriveResult } from '@ledgerflow/sinks';
import type { Kysely } from 'kysely';

/**
 * Redrives a parked account (G5) with the projector's own fold: re-reads its events from the
 * event store, applies them, and unparks it if they all apply (see redriveParkedAccount for the
 * locking that makes this safe while projectors run). Throws ACCOUNT_NOT_PARKED if it is not parked.
 */
export function redriveAccount(db: Kysely<LedgerDatabase>, accountId: string, options: RedriveOptions = {}): Promise<RedriveResult> {
  return redriveParkedAccount(db, accountId, replayAccount, options);
}
