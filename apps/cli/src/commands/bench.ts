import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import { runCatchUp, type CatchUpResult } from '../bench/catch-up-run';
import { seedLedger } from '../bench/seed-ledger';
import type { CliConfig } from '../config';
import { recreateDatabase } from '../shared/database-admin';
import { migrateDatabase } from '../shared/migrate-database';

export interface BenchOptions {
  readonly accounts: number;
  readonly events: number;
  readonly projectors: number[];
  readonly database: string;
  readonly seed: number;
  readonly jsonFile?: string;
}

/**
 * `ledgerflow bench`: fills a fresh event store with a seeded ledger, then projects it from
 * scratch (catch-up) once per projector count, in the same run on the same events, and
 * reports events/s and the ratios between runs. Figures from a run that did not verify are
 * refused (exit 1).
 */
export async function runBench(config: CliConfig, options: BenchOptions): Promise<number> {
  const url = new URL(config.databaseUrl);
  url.pathname = `/${options.database}`;
  const databaseUrl = url.toString();
  await recreateDatabase(databaseUrl);
  await migrateDatabase(databaseUrl);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const started = Date.now();
  const seeded = await seedLedger(pool, options, (done) => process.stdout.write(`\rseeding the event store: ${done.toLocaleString('en-US')} / ${options.events.toLocaleString('en-US')}`));
  await pool.query('analyze');
  await pool.end();
  console.log(`\nseeded ${seeded.toLocaleString('en-US')} events over ${options.accounts.toLocaleString('en-US')} accounts in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const results: CatchUpResult[] = [];
  try {
    for (const projectors of options.projectors) {
      process.stdout.write(`catch-up with ${projectors} projector process(es)… `);
      const result = await runCatchUp({
        databaseUrl,
        redis,
        redisPrefix: `ledgerflow-${options.database}`,
        slot: `ledgerflow_${options.database}`,
        partitions: config.partitions,
        projectors,
        timeoutMs: 600_000,
        env: config.env,
      });
      console.log(`${Math.round(result.eventsPerSecond).toLocaleString('en-US')} events/s (${result.seconds.toFixed(1)} s), verify ${result.verified ? 'OK' : `FAILED (${result.mismatches})`}`);
      results.push(result);
    }
  } finally {
    redis.disconnect();
  }
  return report(results, options);
}

function report(results: CatchUpResult[], options: BenchOptions): number {
  const base = results[0];
  console.log('\nprojectors  events/s   seconds  ratio vs first  verified');
  for (const r of results) {
    const ratio = base ? r.eventsPerSecond / base.eventsPerSecond : 1;
    console.log(`${String(r.projectors).padStart(10)}  ${Math.round(r.eventsPerSecond).toLocaleString('en-US').padStart(8)}  ${r.seconds.toFixed(1).padStart(8)}  ${ratio.toFixed(2).padStart(14)}  ${r.verified ? 'yes' : 'NO'}`);
  }
  const allVerified = results.every((r) => r.verified);
  if (options.jsonFile) {
    const machine = { cores: os.cpus().length, memoryBytes: os.totalmem(), node: process.version, platform: `${os.platform()} ${os.release()}` };
    writeFileSync(options.jsonFile, JSON.stringify({ date: new Date().toISOString(), options, machine, catchup: allVerified ? results : null }, null, 2));
  }
  if (!allVerified) {
    console.error('bench: a run did not verify; its figures are not valid');
    return 1;
  }
  return 0;
}
