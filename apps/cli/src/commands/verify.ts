import { createDb, readDeadLetterSummary, verifyReadModels } from '@ledgerflow/sinks';
import pg from 'pg';
import type { CliConfig } from '../config';
import { formatVerifyReport } from '../shared/verify-report';

/** `ledgerflow verify`: diffs the read models with the fold of the event store; exit 1 on any mismatch. */
export async function runVerify(config: CliConfig, options: { json: boolean }): Promise<number> {
  const db = createDb(new pg.Pool({ connectionString: config.databaseUrl, max: 2 }));
  try {
    const report = await verifyReadModels(db);
    const deadLetters = await readDeadLetterSummary(db);
    if (options.json) console.log(JSON.stringify({ ...report, deadLetters }, null, 2));
    else for (const line of formatVerifyReport(report, deadLetters)) console.log(line);
    return report.total === 0 ? 0 : 1;
  } finally {
    await db.destroy();
  }
}
