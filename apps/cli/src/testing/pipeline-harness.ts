import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDb, migrateToLatest, verifyReadModels, type LedgerDatabase, type VerifyReport } from '@ledgerflow/sinks';
import { freePort, startPrivatePostgres, startPrivateRedis, waitFor, type PrivatePostgres, type PrivateRedis } from '@ledgerflow/testkit';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { BankApiClient } from '../demo/api-client';
import { startApp, stopApp, type AppName } from '../shared/app-process';
import { PipelineProbe } from '../shared/pipeline-probe';

/**
 * The whole pipeline as real processes on a PostgreSQL and a Redis of its own, so a test can
 * kill processes, flush Redis and restart PostgreSQL without touching any other test.
 */
/** The Redis prefix the apps derive from the harness's database name (`ledgerflow`). */
const REDIS_PREFIX = 'ledgerflow-ledgerflow';

export class PipelineHarness {
  readonly processes = new Map<string, ChildProcess>();
  readonly logDir = mkdtempSync(path.join(tmpdir(), 'lf-pipeline-'));
  readonly writeToken = randomBytes(24).toString('base64url');
  #names = 0;

  private constructor(
    readonly postgres: PrivatePostgres,
    readonly redisServer: PrivateRedis,
    readonly databaseUrl: string,
    readonly apiPort: number,
    readonly partitions: number,
    readonly db: Kysely<LedgerDatabase>,
    readonly redis: Redis,
    readonly probe: PipelineProbe,
  ) {}

  static async start(partitions = 8): Promise<PipelineHarness> {
    const postgres = await startPrivatePostgres();
    const admin = new pg.Client({ connectionString: postgres.adminUrl });
    await admin.connect();
    await admin.query('create database ledgerflow');
    await admin.end();
    const databaseUrl = postgres.adminUrl.replace(/\/postgres$/, '/ledgerflow');
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    // PostgreSQL restarts are part of the tests: idle clients learning of it must not crash us.
    pool.on('error', () => undefined);
    const db = createDb(pool);
    const migrated = await migrateToLatest(db as Kysely<unknown>);
    if (migrated.error) throw migrated.error;
    const redisServer = await startPrivateRedis();
    const redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    const probe = new PipelineProbe(db, redis, REDIS_PREFIX, partitions);
    return new PipelineHarness(postgres, redisServer, databaseUrl, await freePort(), partitions, db, redis, probe);
  }

  get env(): Record<string, string | undefined> {
    return {
      ...process.env,
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.redisServer.url,
      LEDGERFLOW_PARTITIONS: String(this.partitions),
      API_PORT: String(this.apiPort),
      API_TOKENS: `write:${this.writeToken}`,
    // Ops ports picked by the kernel: several pipelines (or test files) may run side by side.
    LEDGERFLOW_INGEST_OPS_PORT: '0',
    LEDGERFLOW_PROJECTOR_OPS_PORT: '0',
      LOG_LEVEL: 'info',
    };
  }

  /** Starts an app process, with `overrides` on top of `env`; returns the name it is tracked under (e.g. projector-2). */
  start(app: AppName, overrides: Record<string, string> = {}): string {
    const name = `${app}-${++this.#names}`;
    this.processes.set(name, startApp(app, { ...this.env, ...overrides }, path.join(this.logDir, `${name}.log`)));
    return name;
  }

  kill(name: string, signal: NodeJS.Signals): Promise<number | null> {
    const child = this.processes.get(name)!;
    this.processes.delete(name);
    return new Promise((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      child.kill(signal);
    });
  }

  api(): BankApiClient {
    return new BankApiClient(`http://127.0.0.1:${this.apiPort}`, this.writeToken);
  }

  /** Waits for the API, then opens `count` accounts (5,000.00 each) named after `label`; returns their ids. */
  async openAccounts(count: number, label: string): Promise<string[]> {
    const client = this.api();
    await waitFor('the API', () => client.healthy(), 60_000, 200);
    return Promise.all(Array.from({ length: count }, (_, i) => client.createAccount(`${label} ${i}`, 500_000n)));
  }

  /**
   * Waits until every committed event is projected and every queue is empty — the queues of
   * `partitions`, for a pipeline whose count changed since the harness started.
   */
  async waitForCatchUp(timeoutMs = 60_000, partitions = this.partitions): Promise<void> {
    const probe = partitions === this.partitions ? this.probe : new PipelineProbe(this.db, this.redis, REDIS_PREFIX, partitions);
    try {
      await waitFor(
        'the read models to catch up',
        async () => {
          const s = await probe.snapshot();
          return s.eventsInStore > 0 && s.eventsProjected >= s.eventsInStore && s.queueDepth === 0;
        },
        timeoutMs,
        250,
      );
    } finally {
      if (probe !== this.probe) await probe.close();
    }
  }

  verify(): Promise<VerifyReport> {
    return verifyReadModels(this.db);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.values()].map((child) => stopApp(child, 10_000)));
    this.processes.clear();
    await this.probe.close().catch(() => undefined);
    this.redis.disconnect();
    await this.db.destroy().catch(() => undefined);
    await this.redisServer.stop();
    this.postgres.destroy();
  }
}
