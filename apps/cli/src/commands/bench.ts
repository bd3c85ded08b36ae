import { writeFileSync } from 'node:fs';
import { createDb, verifyReadModels } from '@ledgerflow/sinks';
import { Redis } from 'ioredis';
import pg from 'pg';
import { renderBenchChart } from '../bench/bench-chart';
import { benchChartInput } from '../bench/bench-chart-input';
import { benchJson, benchTable, unverifiedRuns, type BenchFigures, type MachineInfo } from '../bench/bench-report';
import { runCatchUp, type CatchUpResult } from '../bench/catch-up-run';
import { loadAllEvents } from '../bench/load-events';
import { machineInfo } from '../bench/machine-info';
import { runNaiveBaseline, type BaselineResult } from '../bench/naive-baseline';
import { mergePeaks } from '../bench/peak-rss';
import { seedLedger } from '../bench/seed-ledger';
import { settleDatabase } from '../bench/settle-database';
import { runSinkCeiling } from '../bench/sink-ceiling';
import { terminalProgress } from '../bench/progress-bar';
import { runSteadyState, type SteadyResult } from '../bench/steady-state';
import type { CliConfig } from '../config';
import { recreateDatabase } from '../shared/database-admin';
import { migrateDatabase } from '../shared/migrate-database';

export interface BenchOptions {
  readonly accounts: number;
  readonly events: number;
  readonly projectors: number[];
  readonly database: string;
  readonly seed: number;
  /** Steady-state append rates (events/s), each held for `steadySeconds`. */
  readonly rates: number[];
  readonly steadySeconds: number;
  /** Seconds at the start of each steady-state run reported apart, as warm-up. */
  readonly warmupSeconds: number;
  /** Worker concurrencies the naive baseline's sweep tries. */
  readonly baselineConcurrency: number[];
  /** Events each sweep step drains (the winner then drains them all). */
  readonly sweepEvents: number;
  readonly jsonFile?: string;
  /** Where to write the SVG chart (throughput and lag over time). */
  readonly svgFile?: string;
}

/** Issue 6's freshness targets: p99 lag at 2,000 and 20,000 appended events/s. */
const LAG_GOALS_MS = new Map([
  [2000, 50],
  [20_000, 100],
]);

const n = (v: number) => Math.round(v).toLocaleString('en-US');

function withDatabase(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * `ledgerflow bench`: on one seeded ledger, in one run, Ledgerflow's catch-up (per projector
 * count), the naive baseline (a BullMQ job and a transaction per event, best concurrency of a
 * sweep) and the sink ceiling (the same rows written straight with unnest upserts); then
 * Ledgerflow live at fixed append rates with per-event lag. Prints a table, optionally JSON and
 * an SVG chart of throughput and lag over time.
 * Figures from a Ledgerflow run that did not verify are refused (exit 1, no JSON figures).
 */
export async function runBench(config: CliConfig, options: BenchOptions): Promise<number> {
  const databaseUrl = withDatabase(config.databaseUrl, options.database);
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const pool = new pg.Pool({ connectionString: withDatabase(config.databaseUrl, 'postgres'), max: 1 });
  const settle = settler(pool);
  try {
    await seed(databaseUrl, options);
    const catchup = await catchUps(config, databaseUrl, redis, options, settle);
    const ledgerflowFailures = unverifiedRuns({ catchup, steady: [] });
    if (ledgerflowFailures.length > 0) return refuse(ledgerflowFailures);
    const { baseline, ceiling } = await baselineAndCeiling(config, databaseUrl, options, settle);
    const steady = await steadyRuns(config, redis, options, settle);
    const failures = unverifiedRuns({ catchup, steady });
    if (failures.length > 0) return refuse(failures);
    const peakRssBytes: Record<string, number> = {};
    for (const r of [...catchup, ...steady]) mergePeaks(peakRssBytes, r.peakRssBytes);
    // The harness holds the whole workload in memory for the baseline and ceiling: not a pipeline process.
    mergePeaks(peakRssBytes, { bench_harness: process.resourceUsage().maxRSS * 1024 });
    const figures: BenchFigures = { catchup, steady, baseline, ceiling, peakRssBytes };
    console.log(benchTable(figures));
    if (options.jsonFile || options.svgFile) writeOutputs(figures, await machineInfo(pool, redis), { ...options, partitions: config.partitions, appHeapMb: config.appHeapMb });
    return 0;
  } finally {
    redis.disconnect();
    await pool.end();
  }
}

function writeOutputs(figures: BenchFigures, machine: MachineInfo, options: BenchOptions & { readonly partitions: number; readonly appHeapMb: number }): void {
  if (options.jsonFile) {
    writeFileSync(options.jsonFile, `${JSON.stringify(benchJson(figures, machine, options), null, 2)}\n`);
    console.log(`\nwrote ${options.jsonFile}`);
  }
  if (options.svgFile) {
    const command = ['ledgerflow', ...process.argv.slice(2)].join(' ');
    const context = { date: new Date().toISOString().slice(0, 10), cores: machine.cores, partitions: options.partitions, command, lagGoalsMs: LAG_GOALS_MS };
    writeFileSync(options.svgFile, renderBenchChart(benchChartInput(figures, context)));
    console.log(`wrote ${options.svgFile}`);
  }
}

/** Each timed run starts from a checkpoint (see settleDatabase); says once if the role may not. */
function settler(pool: pg.Pool): () => Promise<void> {
  let warned = false;
  return async () => {
    if ((await settleDatabase(pool)) || warned) return;
    warned = true;
    console.log('note: this role may not CHECKPOINT (needs superuser or pg_checkpoint): a run may pay for the previous run\'s writes');
  };
}

function refuse(failures: string[]): number {
  console.error(`bench: refusing to report figures, these runs did not verify:\n  ${failures.join('\n  ')}`);
  return 1;
}

async function seed(databaseUrl: string, options: BenchOptions): Promise<void> {
  await recreateDatabase(databaseUrl);
  await migrateDatabase(databaseUrl);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const started = Date.now();
  try {
    const progress = terminalProgress('seeding the event store');
    const seeded = await seedLedger(pool, options, (done) => progress.update(done, options.events));
    progress.end();
    await pool.query('analyze');
    console.log(`seeded ${n(seeded)} events over ${n(options.accounts)} accounts in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await pool.end();
  }
}

async function catchUps(config: CliConfig, databaseUrl: string, redis: Redis, options: BenchOptions, settle: () => Promise<void>): Promise<CatchUpResult[]> {
  const results: CatchUpResult[] = [];
  for (const projectors of options.projectors) {
    const label = `Ledgerflow catch-up with ${projectors} projector process(es)`;
    await settle();
    const progress = terminalProgress(label);
    const result = await runCatchUp({
      databaseUrl,
      redis,
      redisPrefix: `ledgerflow-${options.database}`,
      slot: `ledgerflow_${options.database}`,
      partitions: config.partitions,
      projectors,
      timeoutMs: 600_000,
      env: config.env,
      heapMb: config.appHeapMb,
      onProgress: progress.update,
    }).finally(progress.end);
    console.log(`${label}… ${n(result.eventsPerSecond)} events/s (${result.seconds.toFixed(1)} s), verify ${result.verified ? 'OK' : `FAILED (${result.mismatches})`}`);
    results.push(result);
  }
  return results;
}

/** The two comparison points, on the same events the catch-up projected. */
async function baselineAndCeiling(config: CliConfig, databaseUrl: string, options: BenchOptions, settle: () => Promise<void>): Promise<{ baseline: BaselineResult; ceiling: BenchFigures['ceiling'] }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const db = createDb(pool);
  try {
    const events = await loadAllEvents(db);
    await settle();
    const progress = terminalProgress('naive baseline');
    const baseline = await runNaiveBaseline(events, {
      databaseUrl,
      redisUrl: config.redisUrl,
      redisPrefix: `ledgerflow-${options.database}-naive`,
      concurrencies: options.baselineConcurrency,
      sweepEvents: options.sweepEvents,
      onProgress: progress.update,
      onRun: (r, phase) => {
        progress.end();
        console.log(`naive baseline ${phase === 'sweep' ? 'sweep' : 'full run'}, concurrency ${r.concurrency}: ${n(r.eventsPerSecond)} events/s (${n(r.events)} events${r.failed ? `, ${r.failed} failed jobs` : ''})`);
      },
    });
    // A winner at the edge of the sweep may not be the baseline's best: say so rather than flatter Ledgerflow.
    if (baseline.best.concurrency === Math.max(...options.baselineConcurrency)) console.log(`note: the naive baseline was fastest at the highest concurrency tried (${baseline.best.concurrency}); a wider --baseline-concurrency sweep may find it faster`);
    await settle();
    const ceiling = await runSinkCeiling(databaseUrl, events, { connections: 2, batchSize: 1000 });
    const verified = (await verifyReadModels(db)).total === 0;
    console.log(`sink ceiling (unnest upserts, 2 connections): ${n(ceiling.eventsPerSecond)} events/s, rows verify ${verified ? 'OK' : 'FAILED'}`);
    return { baseline, ceiling: { ...ceiling, verified } };
  } finally {
    await db.destroy();
  }
}

/**
 * The steady state on every fleet the catch-up measured, each at every rate: which fleet to run
 * is the operator's call, and it cuts both ways on a small machine (a second process may catch
 * up faster and yet add lag at low rates, contending for the same cores; decision 014).
 */
async function steadyRuns(config: CliConfig, redis: Redis, options: BenchOptions, settle: () => Promise<void>): Promise<SteadyResult[]> {
  const results: SteadyResult[] = [];
  const name = `${options.database}_steady`;
  for (const projectors of options.projectors) results.push(...(await steadyRunsOfFleet(config, redis, options, projectors, name, settle)));
  return results;
}

async function steadyRunsOfFleet(config: CliConfig, redis: Redis, options: BenchOptions, projectors: number, name: string, settle: () => Promise<void>): Promise<SteadyResult[]> {
  const results: SteadyResult[] = [];
  for (const rate of options.rates) {
    const label = `Ledgerflow steady state at ${n(rate)} events/s for ${options.steadySeconds} s (${projectors} projector(s))`;
    await settle();
    const progress = terminalProgress(label);
    const r = await runSteadyState({
      databaseUrl: withDatabase(config.databaseUrl, name),
      redis,
      redisPrefix: `ledgerflow-${name}`,
      slot: `ledgerflow_${name}`,
      partitions: config.partitions,
      projectors,
      accounts: options.accounts,
      seed: options.seed + 1,
      rate,
      seconds: options.steadySeconds,
      warmupSeconds: options.warmupSeconds,
      env: config.env,
      heapMb: config.appHeapMb,
      onProgress: progress.update,
    }).finally(progress.end);
    const w = r.warmup.lagMs;
    console.log(`${label}… achieved ${n(r.achievedRate)}/s, lag after the warm-up p50 ${n(r.lagMs.p50)} p95 ${n(r.lagMs.p95)} p99 ${n(r.lagMs.p99)} max ${n(r.lagMs.max)} ms (first ${r.warmup.seconds} s: p99 ${n(w.p99)} max ${n(w.max)} ms), verify ${r.verified ? 'OK' : `FAILED (${r.mismatches})`}`);
    results.push(r);
  }
  return results;
}
