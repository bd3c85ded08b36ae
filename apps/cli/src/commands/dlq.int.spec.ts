import { randomUUID } from 'node:crypto';
import { replayAccount } from '@ledgerflow/projections';
import { causeFromError, parkAccounts, readStream, writeProjection, type ParkedAccount } from '@ledgerflow/sinks';
import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/run-cli';

/** `ledgerflow dlq …` through the real binary, on a database prepared with parked accounts. */
let t: TestDatabase;

const ledgerflow = (...args: string[]) => runCli({ DATABASE_URL: t.url }, args);

async function append(streamId: string, type: string, data: Record<string, unknown>): Promise<void> {
  await t.pool.query(
    `insert into events (event_id, stream_id, version, type, data)
     values ($1, $2, (select coalesce(max(version), 0) + 1 from events where stream_id = $2), $3, $4)`,
    [randomUUID(), streamId, type, JSON.stringify(data)],
  );
}

/** Projects one account the way the projector does, parking it if an event fails. */
async function project(accountId: string): Promise<void> {
  const events = await readStream(t.db, accountId);
  const result = replayAccount(accountId, undefined, events, new Set());
  await t.db.transaction().execute(async (trx) => {
    if (result.row) await writeProjection(trx, { accounts: [result.row], transactions: result.transactions, checkpoint: { partition: 0, position: result.row.lastPosition, eventsApplied: result.applied } });
    const f = result.failure;
    if (f) await parkAccounts(trx, [{ accountId, partition: 0, failed: f.event, cause: causeFromError(f.error), held: f.held }]);
  });
}

const [A, B, H] = [randomUUID(), randomUUID(), randomUUID()];
const money = (accountId: string, amount: string) => ({ accountId, amount, transactionId: randomUUID() });

beforeAll(async () => {
  t = await createTestDatabase('cli_dlq');
  for (const id of [A, B, H]) await append(id, 'AccountCreated', { accountId: id, ownerName: 'Olive', initialBalance: '100.00' });
  await append(A, 'MoneyDeposited', money(A, '1.005'));
  await append(B, 'InterestAccrued', { accountId: B, rate: '0.01' });
  await append(H, 'MoneyDeposited', money(H, '1.00'));
  for (const id of [A, B]) await append(id, 'MoneyDeposited', money(id, '2.00'));
  for (const id of [A, B, H]) await project(id);
});
afterAll(async () => {
  await t?.drop();
});

describe('ledgerflow dlq', () => {
  it('lists and shows parked accounts, refuses bad command lines, and keeps an unfixed account parked', async () => {
    const [list, listJson, show, showHealthy, redriveUnfixed, skipWithoutReason, unknown, notUuid] = await Promise.all([
      ledgerflow('dlq', 'list'),
      ledgerflow('dlq', 'list', '--json'),
      ledgerflow('dlq', 'show', A),
      ledgerflow('dlq', 'show', H),
      ledgerflow('dlq', 'redrive', A),
      ledgerflow('dlq', 'skip', randomUUID()),
      ledgerflow('dlq', 'purge'),
      ledgerflow('dlq', 'show', 'nobody'),
    ]);
    expect(list).toMatchObject({ code: 0 });
    expect(list.stdout).toContain('dlq: 2 parked accounts');
    expect(list.stdout).toMatch(new RegExp(`^  ${A}\\s+EVENT_DATA_INVALID\\s+v2\\s+1\\s+`, 'm'));
    expect(list.stdout).toMatch(new RegExp(`^  ${B}\\s+EVENT_TYPE_UNKNOWN\\s+v2\\s+1\\s+`, 'm'));
    expect(listJson.code).toBe(0);
    const parsed = JSON.parse(listJson.stdout) as ParkedAccount[];
    expect(parsed.map((p) => [p.accountId, p.code, p.failedVersion, p.heldCount]).sort()).toEqual(
      [
        [A, 'EVENT_DATA_INVALID', 2, 1],
        [B, 'EVENT_TYPE_UNKNOWN', 2, 1],
      ].sort(),
    );

    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`account ${A}: parked since`);
    expect(show.stdout).toMatch(/^ {2}v2 {2}failed {2}EVENT_DATA_INVALID\s+MoneyDeposited/m);
    expect(show.stdout).toMatch(/^ {2}v3 {2}held {4}EVENT_DATA_INVALID\s+MoneyDeposited/m);
    expect(show.stdout).toContain('"amount":"1.005"');
    expect(showHealthy).toMatchObject({ code: 1, stdout: `account ${H} is not parked\n` });

    expect(redriveUnfixed.code).toBe(1);
    expect(redriveUnfixed.stdout).toContain(`account ${A} is still parked — 0 events applied, read model at v1`);
    expect(redriveUnfixed.stdout).toContain('fails with EVENT_DATA_INVALID');

    expect(skipWithoutReason.code).toBe(2);
    expect(skipWithoutReason.stderr).toContain('dlq skip needs --reason');
    expect(unknown.code).toBe(2);
    expect(notUuid.code).toBe(2);
  });

  it('redrives a fixed account, skips an event and redrives past it; verify then passes and reports the skip', async () => {
    await t.pool.query(`update events set data = jsonb_set(data, '{amount}', '"1.00"') where stream_id = $1 and version = 2`, [A]);
    const fixed = await ledgerflow('dlq', 'redrive', A);
    expect(fixed).toMatchObject({ code: 0, stdout: `dlq redrive: account ${A} unparked — 2 events applied, read model at v3\n` });

    const interest = (await readStream(t.db, B))[1]!;
    const skipped = await ledgerflow('dlq', 'skip', interest.eventId, '--reason', 'interest is booked elsewhere');
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toContain(`event ${interest.eventId} (v2 InterestAccrued) of account ${B} will be applied as a no-op`);
    const [redriveB, redriveHealthy, skipApplied] = await Promise.all([
      ledgerflow('dlq', 'redrive', B),
      ledgerflow('dlq', 'redrive', H),
      ledgerflow('dlq', 'skip', (await readStream(t.db, H))[1]!.eventId, '--reason', 'x'),
    ]);
    expect(redriveB).toMatchObject({ code: 0 });
    expect(redriveB.stdout).toContain(`account ${B} unparked — 2 events applied, read model at v3`);
    expect(redriveHealthy.code).toBe(1);
    expect(redriveHealthy.stderr).toContain(`account ${H} is not parked`);
    expect(skipApplied.code).toBe(1);
    expect(skipApplied.stderr).toContain('is not parked: only events of a parked account can be skipped');

    const [list, verify] = await Promise.all([ledgerflow('dlq', 'list'), ledgerflow('verify')]);
    expect(list).toMatchObject({ code: 0, stdout: 'dlq: no parked accounts\n' });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('skipped:      1 events skipped by an operator');
    expect(verify.stdout).toContain('dead letters: 0 parked accounts, 0 failed or held events');
    expect(verify.stdout).toContain('verify: OK — 0 mismatches');
  });
});
