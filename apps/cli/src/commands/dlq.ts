import { isLedgerflowError, isUuid } from '@ledgerflow/cdc-core';
import { replayAccount } from '@ledgerflow/projections';
import { createDb, listParkedAccounts, readAccountDeadLetters, redriveParkedAccount, skipEvent, type LedgerDatabase } from '@ledgerflow/sinks';
import type { Kysely } from 'kysely';
import pg from 'pg';
import type { CliConfig } from '../config';
import { formatAccountDeadLetters, formatParkedList, formatRedrive, formatSkip } from '../shared/dlq-report';

/** Options of `ledgerflow dlq`. */
export interface DlqOptions {
  readonly json: boolean;
  readonly reason?: string;
}

/** Thrown for a command line that does not make sense: exit 2 with usage. */
export class DlqUsageError extends Error {}

const print = (lines: readonly string[]) => {
  for (const line of lines) console.log(line);
};
const json = (value: unknown) => console.log(JSON.stringify(value, null, 2));

/**
 * `ledgerflow dlq list | show <account> | redrive <account> | skip <event-id> --reason "…"`:
 * the dead-letter store of parked accounts (G5). Exit codes: 0 done (redrive: unparked),
 * 1 refused or still parked (redrive prints why), 2 usage.
 */
export async function runDlq(config: CliConfig, args: readonly string[], options: DlqOptions): Promise<number> {
  const [action, target, ...extra] = args;
  if (extra.length > 0) throw new DlqUsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  const needsTarget = action === 'show' || action === 'redrive' || action === 'skip';
  if (needsTarget && (target === undefined || !isUuid(target))) throw new DlqUsageError(`dlq ${action} needs ${action === 'skip' ? 'an event id' : 'an account id'} (a UUID)`);
  if (action === 'list' && target !== undefined) throw new DlqUsageError('dlq list takes no argument');
  if (action === 'skip' && (options.reason ?? '').trim() === '') throw new DlqUsageError('dlq skip needs --reason "…" (it is recorded with the skip)');
  if (!needsTarget && action !== 'list') throw new DlqUsageError(action ? `unknown dlq action ${JSON.stringify(action)}` : 'dlq needs an action');
  const db = createDb(new pg.Pool({ connectionString: config.databaseUrl, max: 2 }));
  try {
    return await dispatch(db, action, (target ?? '').toLowerCase(), options);
  } catch (error) {
    // A refusal the operator can act on (not parked, not skippable): say why, exit 1.
    if (isLedgerflowError(error, 'ACCOUNT_NOT_PARKED') || isLedgerflowError(error, 'SKIP_REFUSED')) {
      console.error(`dlq ${action}: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await db.destroy();
  }
}

async function dispatch(db: Kysely<LedgerDatabase>, action: string, target: string, options: DlqOptions): Promise<number> {
  switch (action) {
    case 'list': {
      const parked = await listParkedAccounts(db);
      if (options.json) json(parked);
      else print(formatParkedList(parked));
      return 0;
    }
    case 'show': {
      const { parked, events, skipped } = await readAccountDeadLetters(db, target);
      if (options.json) json({ accountId: target, parked: parked ?? null, events, skipped });
      else print(formatAccountDeadLetters(target, parked, events, skipped));
      return parked ? 0 : 1;
    }
    case 'redrive': {
      const result = await redriveParkedAccount(db, target, replayAccount);
      if (options.json) json(result);
      else print(formatRedrive(result));
      return result.outcome === 'unparked' ? 0 : 1;
    }
    default: {
      const result = await skipEvent(db, target, options.reason ?? '');
      if (options.json) json(result);
      else print(formatSkip(result));
      return 0;
    }
  }
}
