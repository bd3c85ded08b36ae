import { randomUUID } from 'node:crypto';
import { partitionOf } from '@ledgerflow/cdc-core';
import { replayAccount } from '@ledgerflow/projections';
import { causeFromError, parkAccounts, readStream, writeProjection, type LedgerDatabase } from '@ledgerflow/sinks';
import type { Kysely } from 'kysely';

/** One event to append directly to the event store (test-only): the API would refuse a poison one. */
export interface SeedEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** A parked account made by parkWithEvents: its id and its events' ids, by version (index 0 = version 1). */
export interface ParkedSeed {
  readonly accountId: string;
  readonly eventIds: readonly string[];
}

/** The test partition count: any number works, the parked row only records it. */
const PARTITIONS = 16;

/** `AccountCreated` data for `accountId`. */
export const created = (accountId: string, initialBalance = '1.00', ownerName = 'Pat Poison'): SeedEvent => ({
  type: 'AccountCreated',
  data: { accountId, ownerName, initialBalance },
});

/** `MoneyDeposited` data for `accountId`; a non-positive amount makes it poison (EVENT_DATA_INVALID). */
export const deposited = (accountId: string, amount: string): SeedEvent => ({ type: 'MoneyDeposited', data: { accountId, amount, transactionId: randomUUID() } });

/**
 * Appends `events` (built by `seed(accountId)`) as versions 1… of a new account, then does what
 * a projector does with them (test-only): folds them with the projections package, writes what
 * applied and, since one fails, parks the account with the failed and held events, in one
 * transaction. Throws if nothing fails (the seed was meant to be poison).
 */
export async function parkWithEvents(db: Kysely<LedgerDatabase>, seed: (accountId: string) => readonly SeedEvent[]): Promise<ParkedSeed> {
  const accountId = randomUUID();
  const seeds = seed(accountId);
  const eventIds = seeds.map(() => randomUUID());
  await db
    .insertInto('events')
    .values(seeds.map((e, i) => ({ event_id: eventIds[i]!, stream_id: accountId, version: i + 1, type: e.type, data: JSON.stringify(e.data) })))
    .execute();
  const events = await readStream(db, accountId);
  const outcome = replayAccount(accountId, undefined, events, new Set());
  const failure = outcome.failure;
  if (!failure) throw new Error('parkWithEvents: every event applied; seed a poison one');
  const partition = partitionOf(accountId, PARTITIONS);
  await db.transaction().execute(async (trx) => {
    if (outcome.row) {
      const position = events[outcome.applied - 1]!.position;
      await writeProjection(trx, { accounts: [outcome.row], transactions: outcome.transactions, checkpoint: { partition, position, eventsApplied: outcome.applied } });
    }
    await parkAccounts(trx, [{ accountId, partition, failed: failure.event, cause: causeFromError(failure.error), held: failure.held }]);
  });
  return { accountId, eventIds };
}
