import type { StoredEvent } from '@ledgerflow/cdc-core';
import { readEventsAfter, type LedgerDatabase } from '@ledgerflow/sinks';
import type { Kysely } from 'kysely';

/** Reads the whole event store in position order (the bench's stores fit in memory). */
export async function loadAllEvents(db: Kysely<LedgerDatabase>, pageSize = 20_000): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  let after = 0n;
  for (;;) {
    const page = await readEventsAfter(db, after, pageSize);
    for (const e of page) all.push(e);
    if (page.length < pageSize) return all;
    after = page[page.length - 1]!.position;
  }
}
