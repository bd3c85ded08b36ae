import { MAX_MONEY_MINOR, formatMoney, type LedgerEvent, type Minor } from '@ledgerflow/cdc-core';
import type { ApiErrorCode } from '../errors';
import { evolveState, type AccountState } from './account-state';

/** A broken domain rule, as data; the HTTP layer turns it into an ApiError. */
export interface RuleError {
  readonly code: ApiErrorCode;
  readonly message: string;
  readonly field?: string;
}

/** The events one stream receives from a decision, and the state they lead to. */
export interface StreamChange {
  readonly streamId: string;
  /** The version the decision was taken on (0 for a new stream): the optimistic-concurrency guard. */
  readonly expectedVersion: number;
  readonly events: readonly LedgerEvent[];
  readonly next: AccountState;
}

export type Decision = { readonly ok: true; readonly changes: readonly StreamChange[] } | { readonly ok: false; readonly error: RuleError };

/** Commands on one account. Ids are chosen by the caller so that deciding stays pure. */
export type AccountCommand =
  | { readonly type: 'OpenAccount'; readonly accountId: string; readonly ownerName: string; readonly initialBalance: Minor }
  | { readonly type: 'DepositMoney'; readonly accountId: string; readonly amount: Minor; readonly transactionId: string; readonly expectedVersion?: number }
  | { readonly type: 'WithdrawMoney'; readonly accountId: string; readonly amount: Minor; readonly transactionId: string; readonly expectedVersion?: number }
  | { readonly type: 'CloseAccount'; readonly accountId: string; readonly reason: string; readonly expectedVersion?: number };

/** Moves money between two accounts: one withdrawal and one deposit sharing `transferId`. */
export interface TransferCommand {
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: Minor;
  readonly transferId: string;
  readonly withdrawalTransactionId: string;
  readonly depositTransactionId: string;
}

const reject = (code: ApiErrorCode, message: string, field?: string): Decision => ({ ok: false, error: field === undefined ? { code, message } : { code, message, field } });

function accept(streamId: string, state: AccountState | undefined, events: readonly LedgerEvent[]): StreamChange {
  return { streamId, expectedVersion: state?.version ?? 0, events, next: events.reduce<AccountState | undefined>(evolveState, state)! };
}

/**
 * Decides one command against the account's current state (undefined: no such account):
 * the new events, or the rule it breaks (DESIGN §3). Pure: no clock, no ids, no I/O.
 */
export function decide(state: AccountState | undefined, command: AccountCommand): Decision {
  if (command.type === 'OpenAccount') return decideOpen(state, command);
  const refused = checkWritable(state, command.accountId, command.expectedVersion);
  if (refused) return { ok: false, error: refused };
  const current = state!;
  switch (command.type) {
    case 'DepositMoney': {
      const { accountId, amount, transactionId } = command;
      const error = checkAmount(amount) ?? checkCeiling(current, amount, accountId);
      return error ? { ok: false, error } : { ok: true, changes: [accept(accountId, current, [{ type: 'MoneyDeposited', accountId, amount, transactionId }])] };
    }
    case 'WithdrawMoney': {
      const { accountId, amount, transactionId } = command;
      const error = checkAmount(amount) ?? checkFunds(current, amount, accountId);
      return error ? { ok: false, error } : { ok: true, changes: [accept(accountId, current, [{ type: 'MoneyWithdrawn', accountId, amount, transactionId }])] };
    }
    case 'CloseAccount':
      return { ok: true, changes: [accept(command.accountId, current, [{ type: 'AccountClosed', accountId: command.accountId, reason: command.reason }])] };
  }
}

function decideOpen(state: AccountState | undefined, command: Extract<AccountCommand, { type: 'OpenAccount' }>): Decision {
  if (command.initialBalance < 0n) return reject('VALIDATION_FAILED', 'initialBalance must be 0.00 or more', 'initialBalance');
  if (command.initialBalance > MAX_MONEY_MINOR) return reject('VALIDATION_FAILED', 'initialBalance is too large', 'initialBalance');
  if (state !== undefined) return reject('ACCOUNT_EXISTS', `account ${command.accountId} already exists`, 'accountId');
  const { accountId, ownerName, initialBalance } = command;
  return { ok: true, changes: [accept(accountId, undefined, [{ type: 'AccountCreated', accountId, ownerName, initialBalance }])] };
}

/**
 * Decides a transfer: both accounts must exist and be active, differ, and the source must
 * cover the amount. Its changes come in sorted stream-id order, the order rows are locked in.
 */
export function decideTransfer(from: AccountState | undefined, to: AccountState | undefined, command: TransferCommand): Decision {
  const { fromAccountId, toAccountId, amount, transferId } = command;
  if (fromAccountId === toAccountId) return reject('SAME_ACCOUNT', 'a transfer needs two different accounts', 'toAccountId');
  const error =
    checkAmount(amount) ??
    checkWritable(from, fromAccountId, undefined, 'fromAccountId') ??
    checkWritable(to, toAccountId, undefined, 'toAccountId') ??
    checkFunds(from!, amount, fromAccountId) ??
    checkCeiling(to!, amount, toAccountId);
  if (error) return { ok: false, error };
  const changes = [
    accept(fromAccountId, from, [{ type: 'MoneyWithdrawn', accountId: fromAccountId, amount, transactionId: command.withdrawalTransactionId, transferId }]),
    accept(toAccountId, to, [{ type: 'MoneyDeposited', accountId: toAccountId, amount, transactionId: command.depositTransactionId, transferId }]),
  ];
  return { ok: true, changes: changes.sort((a, b) => (a.streamId < b.streamId ? -1 : 1)) };
}

function checkWritable(state: AccountState | undefined, accountId: string, expectedVersion: number | undefined, field?: string): RuleError | undefined {
  const withField = (code: ApiErrorCode, message: string): RuleError => (field === undefined ? { code, message } : { code, message, field });
  if (state === undefined) return withField('ACCOUNT_NOT_FOUND', `account ${accountId} does not exist`);
  if (expectedVersion !== undefined && expectedVersion !== state.version) {
    return { code: 'CONCURRENCY_CONFLICT', message: `account ${accountId} is at version ${state.version}, not ${expectedVersion}`, field: 'expectedVersion' };
  }
  if (state.status === 'closed') return withField('ACCOUNT_CLOSED', `account ${accountId} is closed`);
  return undefined;
}

function checkAmount(amount: Minor): RuleError | undefined {
  if (amount <= 0n) return { code: 'VALIDATION_FAILED', message: 'amount must be greater than 0.00', field: 'amount' };
  if (amount > MAX_MONEY_MINOR) return { code: 'VALIDATION_FAILED', message: 'amount is too large', field: 'amount' };
  return undefined;
}

function checkFunds(state: AccountState, amount: Minor, accountId: string): RuleError | undefined {
  if (amount <= state.balance) return undefined;
  return { code: 'INSUFFICIENT_FUNDS', message: `account ${accountId} holds ${formatMoney(state.balance)}, less than ${formatMoney(amount)}`, field: 'amount' };
}

function checkCeiling(state: AccountState, amount: Minor, accountId: string): RuleError | undefined {
  if (state.balance + amount <= MAX_MONEY_MINOR) return undefined;
  return { code: 'BALANCE_LIMIT_EXCEEDED', message: `account ${accountId} cannot hold more than ${formatMoney(MAX_MONEY_MINOR)}`, field: 'amount' };
}
