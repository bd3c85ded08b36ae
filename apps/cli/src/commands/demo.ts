import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createDb, verifyReadModels } from '@ledgerflow/sinks';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { CliConfig } from '../config';
import { BankApiClient } from '../demo/api-client';
import { driveWorkload, emptyDriverStats, type DriverStats } from '../demo/driver';
import { LiveViewWriter, renderLiveView } from '../demo/live-view';
import { WORKSPACE_ROOT, startApp, stopApp, type AppName } from '../shared/app-process';
import { recreateDatabase } from '../shared/database-admin';
import { migrateDatabase } from '../shared/migrate-database';
import { PipelineProbe, type PipelineSnapshot } from '../shared/pipeline-probe';
import { freePort } from '../shared/free-port';
import { deleteKeysWithPrefix } from '../shared/redis-keys';
import { formatVerifyReport } from '../shared/verify-report';

export interface DemoOptions {
  readonly accounts: number;
  readonly events: number;
  readonly concurrency: number;
  readonly projectors: number;
  readonly port: number;
  readonly seed: number;
  readonly database: string;
  readonly catchUpTimeoutMs: number;
}

/**
 * Runs the whole pipeline on a fresh database of its own: api, ingest and projector processes,
 * a Zipf-skewed workload through the HTTP API, a live view, and a final verify. Resolves with
 * the process exit code: 0 only when verification finds 0 mismatches.
 */
export async function runDemo(config: CliConfig, options: DemoOptions): Promise<number> {
  const url = new URL(config.databaseUrl);
  url.pathname = `/${options.database}`;
  const databaseUrl = url.toString();
  const prefix = `ledgerflow-${options.database}`;
  const logDir = path.join(WORKSPACE_ROOT, '.ledgerflow', 'demo');
  console.log(`Preparing database ${options.database} and Redis prefix ${prefix} (app logs in ${path.relative(process.cwd(), logDir) || logDir})`);
  await recreateDatabase(databaseUrl);
  await migrateDatabase(databaseUrl);
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  await deleteKeysWithPrefix(redis, prefix);

  const port = options.port || (await freePort());
  // A throw-away token for this run: the API refuses commands without one.
  const writeToken = randomBytes(24).toString('base64url');
  const env = {
    ...config.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: config.redisUrl,
    LEDGERFLOW_PARTITIONS: String(config.partitions),
    LEDGERFLOW_REDIS_PREFIX: prefix,
    LEDGERFLOW_SLOT: `ledgerflow_${options.database}`.toLowerCase().replace(/[^a-z0-9_]/g, '_'),
    API_PORT: String(port),
    API_TOKENS: `write:${writeToken}`,
    // Ops ports picked by the kernel: several pipelines (or test files) may run side by side.
    LEDGERFLOW_INGEST_OPS_PORT: '0',
    LEDGERFLOW_PROJECTOR_OPS_PORT: '0',
  };
  const apps: Array<{ name: AppName; child: ChildProcess }> = [];
  const start = (name: AppName, index = 0) => apps.push({ name, child: startApp(name, env, path.join(logDir, `${name}${index ? `-${index}` : ''}.log`), config.appHeapMb) });
  start('api');
  start('ingest');
  for (let i = 0; i < options.projectors; i++) start('projector', i);

  const pool = new pg.Pool({ connectionString: databaseUrl, max: 3 });
  const db = createDb(pool);
  const probe = new PipelineProbe(db, redis, prefix, config.partitions);
  try {
    return await runWorkloadAndVerify(options, db, probe, apps, new BankApiClient(`http://127.0.0.1:${port}`, writeToken));
  } finally {
    await Promise.all(apps.map((a) => stopApp(a.child)));
    // The demo's data stays for inspection, but an idle slot would retain WAL forever.
    await dropSlot(pool, env.LEDGERFLOW_SLOT).catch((error: unknown) => console.error(`could not drop slot ${env.LEDGERFLOW_SLOT}: ${String(error)}`));
    await probe.close();
    await db.destroy();
    redis.disconnect();
  }
}

async function runWorkloadAndVerify(
  options: DemoOptions,
  db: ReturnType<typeof createDb>,
  probe: PipelineProbe,
  apps: Array<{ name: AppName; child: ChildProcess }>,
  client: BankApiClient,
): Promise<number> {
  const crashed = watchForCrashes(apps);
  await waitUntil('the API to answer', () => client.healthy(), 60_000, crashed);
  const stats = emptyDriverStats();
  const view = new LiveViewWriter();
  const startedAt = Date.now();
  let phase = 'creating accounts';
  let previous: PipelineSnapshot | undefined;
  let refreshing = false;
  const refresh = async (force = false) => {
    // A slow snapshot must not overlap the next one: out-of-order results would show old figures.
    if (refreshing && !force) return;
    refreshing = true;
    try {
      const current = await probe.snapshot();
      view.show(renderLiveView(phase, startedAt, previous, current, stats), force);
      previous = current;
    } finally {
      refreshing = false;
    }
  };
  const ticker = setInterval(() => void refresh().catch(() => undefined), 500);
  try {
    const accountIds = await createAccounts(client, options, stats);
    phase = 'driving the workload';
    await Promise.race([driveWorkload(client, { accountIds, targetEvents: options.events, concurrency: options.concurrency, seed: options.seed, stats }), crashed.promise]);
    phase = 'waiting for the projections to catch up';
    await waitUntil(
      'the read models to catch up',
      // A fresh snapshot, taken after the last command was answered: the live view's may predate it.
      async () => {
        const now = await probe.snapshot();
        return now.eventsProjected >= now.eventsInStore && now.queueDepth === 0;
      },
      options.catchUpTimeoutMs,
      crashed,
    );
  } finally {
    clearInterval(ticker);
  }
  phase = 'verifying';
  await refresh(true);
  return summarize(stats, await verifyReadModels(db), Date.now() - startedAt);
}

async function createAccounts(client: BankApiClient, options: DemoOptions, stats: DriverStats): Promise<string[]> {
  const ids: string[] = new Array(options.accounts);
  let next = 0;
  const worker = async () => {
    while (next < options.accounts) {
      const i = next++;
      ids[i] = await client.createAccount(`Customer ${i + 1}`, 100_000n);
      stats.commands++;
      stats.accepted++;
      stats.eventsAppended++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.accounts) }, worker));
  return ids;
}

function summarize(stats: DriverStats, report: Awaited<ReturnType<typeof verifyReadModels>>, elapsedMs: number): number {
  console.log('');
  console.log(`Drove ${stats.commands.toLocaleString('en-US')} commands in ${(elapsedMs / 1000).toFixed(1)} s: ${stats.accepted.toLocaleString('en-US')} accepted, ${stats.rejected.toLocaleString('en-US')} rejected by the rules, ${stats.errors} errors.`);
  for (const line of formatVerifyReport(report)) console.log(line);
  return report.total === 0 && stats.errors === 0 ? 0 : 1;
}

interface CrashWatch {
  readonly promise: Promise<never>;
  failed(): Error | undefined;
}

function watchForCrashes(apps: Array<{ name: AppName; child: ChildProcess }>): CrashWatch {
  let failure: Error | undefined;
  const promise = new Promise<never>((_, reject) => {
    for (const { name, child } of apps) {
      child.once('exit', (code, signal) => {
        failure = new Error(`${name} exited unexpectedly (code ${code}, signal ${signal}); see .ledgerflow/demo/${name}*.log`);
        reject(failure);
      });
    }
  });
  promise.catch(() => undefined);
  return { promise, failed: () => failure };
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number, crashed: CrashWatch): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failure = crashed.failed();
    if (failure) throw failure;
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function dropSlot(pool: pg.Pool, slot: string): Promise<void> {
  await pool.query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1 and not active', [slot]);
}
