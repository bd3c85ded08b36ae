import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FoldFailure } from '@ledgerflow/projections';
import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logFoldFailures, type FailureHandler } from './fold-failures';
import { projectBatch } from './project-batch';
import { accountRow, allEvents, appendEvents, created, deposited, readModelState, streamEvents, transactionRows, withdrawn } from './testing/ledger-fixtures';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase('projector_poison');
});
afterAll(async () => {
  await tdb?.drop();
});

/** A failure handler that keeps what it receives and logs through logFoldFailures into memory. */
function recordingHandler() {
  const received: FoldFailure[] = [];
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const log = logFoldFailures(pino({ level: 'info' }, sink));
  const handler: FailureHandler = async (failures, context) => {
    received.push(...failures);
    await log(failures, context);
  };
  return { handler, received, lines };
}

describe('poison events (G5 seam)', () => {
  it('stop only their own account; the rest of the batch commits', async () => {
    const poisoned = randomUUID();
    const corrupt = randomUUID();
    const healthy = randomUUID();
    // A withdrawal beyond the balance (the write side would refuse it) and a malformed amount.
    await appendEvents(tdb.db, poisoned, [created(poisoned), withdrawn(poisoned, '500.00'), deposited(poisoned, '10.00')]);
    await appendEvents(tdb.db, corrupt, [created(corrupt), { type: 'MoneyDeposited', data: { accountId: corrupt, amount: 'abc', transactionId: randomUUID() } }]);
    await appendEvents(tdb.db, healthy, [created(healthy), deposited(healthy, '7.00')]);
    const events = await allEvents(tdb.db);
    const { handler, received, lines } = recordingHandler();

    expect(await projectBatch(tdb.db, 0, events, { onFailures: handler })).toEqual({ applied: 4, duplicates: 0, repaired: 0, failures: 2, held: 0 });

    expect(await accountRow(tdb.db, healthy)).toMatchObject({ balance: '107.00', version: 2 });
    expect(await accountRow(tdb.db, poisoned)).toMatchObject({ balance: '100.00', version: 1 });
    expect(await accountRow(tdb.db, corrupt)).toMatchObject({ balance: '100.00', version: 1 });
    expect(await transactionRows(tdb.db, poisoned)).toEqual([]);
    expect(await transactionRows(tdb.db, healthy)).toHaveLength(1);

    const byAccount = new Map(received.map((f) => [f.accountId, f]));
    expect(byAccount.get(poisoned)).toMatchObject({ event: { version: 2 }, error: { code: 'EVENT_RULE_VIOLATION' } });
    expect(byAccount.get(poisoned)!.held.map((e) => e.version)).toEqual([3]);
    expect(byAccount.get(corrupt)).toMatchObject({ event: { version: 2 }, error: { code: 'EVENT_DATA_INVALID' } });
    expect(lines.map((l) => [l['level'], l['code'], l['accountId']]).sort()).toEqual(
      [
        [50, 'EVENT_DATA_INVALID', corrupt],
        [50, 'EVENT_RULE_VIOLATION', poisoned],
      ].sort(),
    );

    // The checkpoint counts only what was applied and stops below the failed events.
    const healthyLast = (await streamEvents(tdb.db, healthy))[1]!.position;
    expect((await readModelState(tdb.db, [], 0)).checkpoint).toMatchObject({ events_applied: '4', position: healthyLast.toString() });
  });

  it('holds, without writing or failing again, a later event of the parked account', async () => {
    const poisoned = randomUUID();
    await appendEvents(tdb.db, poisoned, [created(poisoned), withdrawn(poisoned, '500.00')]);
    await projectBatch(tdb.db, 1, await streamEvents(tdb.db, poisoned));
    await appendEvents(tdb.db, poisoned, [deposited(poisoned, '1.00')]);
    const { handler, received } = recordingHandler();

    const v3 = (await streamEvents(tdb.db, poisoned)).filter((e) => e.version === 3);
    expect(await projectBatch(tdb.db, 1, v3, { onFailures: handler })).toEqual({ applied: 0, duplicates: 0, repaired: 0, failures: 0, held: 1 });
    // Delivered again: already held.
    expect(await projectBatch(tdb.db, 1, v3, { onFailures: handler })).toMatchObject({ applied: 0, failures: 0 });
    expect(received).toEqual([]);
    expect(await accountRow(tdb.db, poisoned)).toMatchObject({ version: 1 });
    const held = await sql<{ version: number; reason: string; code: string }>`
      select version, reason, code from dead_letter_events where account_id = ${poisoned}::uuid order by version`.execute(tdb.db);
    expect(held.rows).toEqual([
      { version: 2, reason: 'failed', code: 'EVENT_RULE_VIOLATION' },
      { version: 3, reason: 'held', code: 'EVENT_RULE_VIOLATION' },
    ]);
  });

  it('applies up to a hole in the event store and reports EVENT_VERSION_GAP', async () => {
    const holed = randomUUID();
    await appendEvents(tdb.db, holed, [created(holed)]);
    await appendEvents(tdb.db, holed, [deposited(holed, '1.00')], 3);
    const { handler, received } = recordingHandler();

    expect(await projectBatch(tdb.db, 2, await streamEvents(tdb.db, holed), { onFailures: handler })).toMatchObject({ applied: 1, failures: 1 });
    expect(received[0]).toMatchObject({ accountId: holed, event: { version: 3 }, error: { code: 'EVENT_VERSION_GAP' } });
    expect(await accountRow(tdb.db, holed)).toMatchObject({ version: 1 });
  });

  it('rolls back everything when the failure handler throws', async () => {
    const poisoned = randomUUID();
    const healthy = randomUUID();
    await appendEvents(tdb.db, poisoned, [created(poisoned), withdrawn(poisoned, '500.00')]);
    await appendEvents(tdb.db, healthy, [created(healthy)]);
    const events = [...(await streamEvents(tdb.db, poisoned)), ...(await streamEvents(tdb.db, healthy))];
    const failing: FailureHandler = async () => {
      throw new Error('dead-letter store unavailable');
    };

    await expect(projectBatch(tdb.db, 3, events, { onFailures: failing })).rejects.toThrow('dead-letter store unavailable');
    expect(await accountRow(tdb.db, healthy)).toBeUndefined();
    expect(await accountRow(tdb.db, poisoned)).toBeUndefined();
    expect((await readModelState(tdb.db, [], 3)).checkpoint).toBeUndefined();
  });
});
