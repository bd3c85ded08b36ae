import type { LedgerEvent, Minor } from '@ledgerflow/cdc-core';

/** What the write side knows about one account: the `account_write_state` row. */
export interface AccountState {
  /** Number of events in the account's stream. */
  readonly version: number;
  readonly balance: Minor;
  readonly status: 'active' | 'closed';
}

/**
 * Folds one event into the write-side state (pure). Decisions are checked before this runs,
 * so it applies events as facts and never rejects them.
 */
export function evolveState(state: AccountState | undefined, event: LedgerEvent): AccountState {
  const version = (state?.version ?? 0) + 1;
  switch (event.type) {
    case 'AccountCreated':
      return { version, balance: event.initialBalance, status: 'active' };
    case 'MoneyDeposited':
      return { version, balance: (state?.balance ?? 0n) + event.amount, status: state?.status ?? 'active' };
    case 'MoneyWithdrawn':
      return { version, balance: (state?.balance ?? 0n) - event.amount, status: state?.status ?? 'active' };
    case 'AccountClosed':
      return { version, balance: state?.balance ?? 0n, status: 'closed' };
  }
}
