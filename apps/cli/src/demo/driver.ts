import type { BankApiClient, CommandOutcome } from './api-client';
import { workload, type Operation } from './workload';

/** Running totals of what the driver sent and what the API answered. */
export interface DriverStats {
  commands: number;
  accepted: number;
  /** Answered 4xx: a rule said no (overdraft, closed account) or a conflict outlived its retries. */
  rejected: number;
  conflictsRetried: number;
  /** 5xx or network errors: these should never happen. */
  errors: number;
  eventsAppended: number;
  readonly rejectedByCode: Record<string, number>;
}

export function emptyDriverStats(): DriverStats {
  return { commands: 0, accepted: 0, rejected: 0, conflictsRetried: 0, errors: 0, eventsAppended: 0, rejectedByCode: {} };
}

export interface DriveOptions {
  readonly accountIds: readonly string[];
  readonly targetEvents: number;
  readonly concurrency: number;
  readonly seed: number;
  readonly stats: DriverStats;
}

/**
 * Sends the workload through the API with `concurrency` commands in flight until the API has
 * accepted commands worth `targetEvents` events. A 409 (two commands raced for one account
 * version) is retried, as a real client would; closed accounts are not written to again.
 */
export async function driveWorkload(client: BankApiClient, options: DriveOptions): Promise<void> {
  const operations = workload({ accounts: options.accountIds.length, seed: options.seed });
  const closed = new Set<number>();
  const { stats } = options;
  const next = (): Operation | undefined => {
    for (let tries = 0; tries < 100; tries++) {
      const op = operations.next().value;
      const touched = op.kind === 'transfer' ? [op.from, op.to] : [op.account];
      if (touched.some((a) => closed.has(a))) continue;
      if (op.kind === 'close') closed.add(op.account);
      return op;
    }
    return undefined;
  };
  const worker = async () => {
    while (stats.eventsAppended < options.targetEvents) {
      const op = next();
      if (!op) return;
      const outcome = await send(client, op, options.accountIds, stats);
      stats.commands++;
      if (outcome.ok) {
        stats.accepted++;
        stats.eventsAppended += outcome.events;
      } else if (outcome.status >= 500 || outcome.status === 0) {
        stats.errors++;
      } else {
        stats.rejected++;
        stats.rejectedByCode[outcome.code] = (stats.rejectedByCode[outcome.code] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
}

async function send(client: BankApiClient, op: Operation, ids: readonly string[], stats: DriverStats): Promise<CommandOutcome> {
  for (let attempt = 0; ; attempt++) {
    let outcome: CommandOutcome;
    try {
      outcome = await sendOnce(client, op, ids);
    } catch {
      return { ok: false, status: 0, code: 'NETWORK' };
    }
    if (outcome.ok || outcome.status !== 409 || attempt >= 5) return outcome;
    stats.conflictsRetried++;
  }
}

function sendOnce(client: BankApiClient, op: Operation, ids: readonly string[]): Promise<CommandOutcome> {
  switch (op.kind) {
    case 'deposit':
      return client.deposit(ids[op.account]!, op.amountCents);
    case 'withdraw':
      return client.withdraw(ids[op.account]!, op.amountCents);
    case 'transfer':
      return client.transfer(ids[op.from]!, ids[op.to]!, op.amountCents);
    case 'close':
      return client.close(ids[op.account]!, 'customer request');
  }
}
