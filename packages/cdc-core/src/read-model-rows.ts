import type { Minor } from './money';

/** An `account_projections` row, with money in minor units. */
export interface AccountRow {
  readonly accountId: string;
  readonly ownerName: string;
  readonly balance: Minor;
  readonly status: 'active' | 'closed';
  /** Number of the account's events this row reflects (G2: no gaps, ever). */
  readonly version: number;
  readonly lastPosition: bigint;
  /** ISO-8601; the AccountCreated event's `created_at`. */
  readonly createdAt: string;
  /** ISO-8601; the latest applied event's `created_at` (deterministic, so rebuilds match). */
  readonly updatedAt: string;
}

/** A `transaction_projections` row. */
export interface TransactionRow {
  readonly transactionId: string;
  readonly accountId: string;
  readonly type: 'DEPOSIT' | 'WITHDRAWAL';
  readonly amount: Minor;
  readonly balanceAfter: Minor;
  readonly position: bigint;
  readonly occurredAt: string;
}
