import { formatMoney } from '@ledgerflow/cdc-core';
import { seededRandom, zipfSampler } from '../demo/zipf';

/** An event row ready for `insert into events`, with its data as JSON text. */
export interface GeneratedEvent {
  readonly eventId: string;
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly data: string;
}

/** Deterministic UUID-shaped ids from a counter, so a seeded run is reproducible. */
function idFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Generates a valid ledger history of `events` events over `accounts` Zipf-skewed accounts:
 * every account is created first, then deposits, withdrawals (never beyond the balance),
 * transfers (two events) and a few closures, in an order the write side could have produced.
 * Pure and seeded. Balances are tracked in integer cents (bigint).
 */
export function* generateLedger(options: { accounts: number; events: number; seed: number }): Generator<GeneratedEvent> {
  const random = seededRandom(options.seed);
  const ids = Array.from({ length: options.accounts }, () => idFrom(random));
  const version = new Array<number>(options.accounts).fill(0);
  const balance = new Array<bigint>(options.accounts).fill(0n);
  const closed = new Array<boolean>(options.accounts).fill(false);
  const pick = zipfSampler(options.accounts, 1.1, random);
  const event = (i: number, type: string, data: Record<string, string>): GeneratedEvent => ({
    eventId: idFrom(random),
    streamId: ids[i]!,
    version: ++version[i]!,
    type,
    data: JSON.stringify({ accountId: ids[i], ...data }),
  });
  let emitted = 0;
  for (let i = 0; i < options.accounts && emitted < options.events; i++, emitted++) {
    balance[i] = 100_000n;
    yield event(i, 'AccountCreated', { ownerName: `Customer ${i + 1}`, initialBalance: formatMoney(balance[i]!) });
  }
  while (emitted < options.events) {
    const a = pick();
    if (closed[a]) continue;
    const r = random();
    const amount = BigInt(1 + Math.floor(random() * 20_000));
    if (r < 0.001 && options.accounts > 10) {
      closed[a] = true;
      emitted++;
      yield event(a, 'AccountClosed', { reason: 'customer request' });
    } else if (r < 0.55 || balance[a]! < amount) {
      balance[a] = balance[a]! + amount;
      emitted++;
      yield event(a, 'MoneyDeposited', { amount: formatMoney(amount), transactionId: idFrom(random) });
    } else if (r < 0.85 || emitted + 2 > options.events) {
      balance[a] = balance[a]! - amount;
      emitted++;
      yield event(a, 'MoneyWithdrawn', { amount: formatMoney(amount), transactionId: idFrom(random) });
    } else {
      const b = pick();
      if (b === a || closed[b]) continue;
      const transferId = idFrom(random);
      balance[a] = balance[a]! - amount;
      balance[b] = balance[b]! + amount;
      emitted += 2;
      yield event(a, 'MoneyWithdrawn', { amount: formatMoney(amount), transactionId: idFrom(random), transferId });
      yield event(b, 'MoneyDeposited', { amount: formatMoney(amount), transactionId: idFrom(random), transferId });
    }
  }
}
