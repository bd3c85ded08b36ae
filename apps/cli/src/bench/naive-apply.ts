import { formatMoney, parseLedgerEvent, type StoredEvent } from '@ledgerflow/cdc-core';
import type pg from 'pg';

/**
 * The architecture Ledgerflow replaces, written as well as that architecture allows: one
 * event, one transaction, one statement per row it touches (an UPDATE of the account that
 * returns the new balance, then the INSERT of the transaction row). It has that
 * architecture's flaws too (no idempotency, no ordering across concurrent jobs): the bench
 * times it, it does not vouch for its read models.
 */
export async function applyEventNaively(pool: pg.Pool, event: StoredEvent): Promise<void> {
  const ledger = parseLedgerEvent(event);
  const client = await pool.connect();
  try {
    await client.query('begin');
    const common = [event.streamId, event.version, event.position.toString(), event.createdAt];
    if (ledger.type === 'AccountCreated') {
      await client.query(
        `insert into account_projections (account_id, version, last_position, created_at, updated_at, owner_name, balance, status)
         values ($1, $2, $3, $4, $4, $5, $6, 'active') on conflict (account_id) do nothing`,
        [...common, ledger.ownerName, formatMoney(ledger.initialBalance)],
      );
    } else if (ledger.type === 'AccountClosed') {
      await client.query(`update account_projections set status = 'closed', version = $2, last_position = $3, updated_at = $4 where account_id = $1`, common);
    } else {
      const delta = formatMoney(ledger.type === 'MoneyDeposited' ? ledger.amount : -ledger.amount);
      const updated = await client.query<{ balance: string }>(
        `update account_projections set balance = balance + $5::numeric, version = $2, last_position = $3, updated_at = $4
         where account_id = $1 returning balance::text as balance`,
        [...common, delta],
      );
      await client.query(
        `insert into transaction_projections (transaction_id, account_id, type, amount, balance_after, position, occurred_at)
         values ($1, $2, $3, $4, $5, $6, $7) on conflict (transaction_id) do nothing`,
        [ledger.transactionId, event.streamId, ledger.type === 'MoneyDeposited' ? 'DEPOSIT' : 'WITHDRAWAL', formatMoney(ledger.amount), updated.rows[0]?.balance ?? '0', event.position.toString(), event.createdAt],
      );
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
