import { DEFAULT_PARTITION_COUNT, LedgerflowError } from '@ledgerflow/cdc-core';
import { z } from 'zod';
import type { BreakerPolicy } from './circuit/breaker-rules';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Port of the projector's ops server unless configured (ingest has 9465, the API 3000). */
export const DEFAULT_OPS_PORT = 9466;

const schema = z.object({
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/ledgerflow'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  LEDGERFLOW_PARTITIONS: z.coerce.number().int().min(1).max(1024).optional(),
  LEDGERFLOW_REDIS_PREFIX: z.string().min(1).optional(),
  LEDGERFLOW_PROJECTOR_MAX_BATCH: z.coerce.number().int().min(1).max(100_000).default(5000),
  LEDGERFLOW_PROJECTOR_FLUSH_MS: z.coerce.number().int().min(0).max(60_000).default(25),
  LEDGERFLOW_PROJECTOR_WRITERS: z.coerce.number().int().min(0).max(64).default(1),
  LEDGERFLOW_PROJECTOR_HEARTBEAT_MS: z.coerce.number().int().min(20).max(60_000).default(1000),
  LEDGERFLOW_PROJECTOR_MEMBER_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(6000),
  LEDGERFLOW_PROJECTOR_REBALANCE_MS: z.coerce.number().int().min(20).max(60_000).default(1000),
  LEDGERFLOW_PROJECTOR_BATCH_TIMEOUT_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
  LEDGERFLOW_PROJECTOR_COMMIT_TIMEOUT_MS: z.coerce.number().int().min(10).max(600_000).default(10_000),
  LEDGERFLOW_PROJECTOR_SYNCHRONOUS_COMMIT: z.enum(['on', 'off']).default('off'),
  LEDGERFLOW_PROJECTOR_BREAKER_FAILURES: z.coerce.number().int().min(1).max(10_000).default(5),
  LEDGERFLOW_PROJECTOR_BREAKER_WINDOW_MS: z.coerce.number().int().min(1).max(3_600_000).default(10_000),
  LEDGERFLOW_PROJECTOR_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(1).max(600_000).default(500),
  LEDGERFLOW_PROJECTOR_BREAKER_MAX_COOLDOWN_MS: z.coerce.number().int().min(1).max(3_600_000).default(5000),
  LEDGERFLOW_PROJECTOR_OPS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  LEDGERFLOW_PROJECTOR_OPS_HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  OTEL_SERVICE_NAME: z.string().min(1).default('ledgerflow-projector'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL').optional(),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none']).default('otlp'),
})
  // A live member misses no more than one beat before it counts as stalled and is fenced off.
  .refine((e) => e.LEDGERFLOW_PROJECTOR_MEMBER_TIMEOUT_MS >= 2 * e.LEDGERFLOW_PROJECTOR_HEARTBEAT_MS, {
    path: ['LEDGERFLOW_PROJECTOR_MEMBER_TIMEOUT_MS'],
    message: 'must be at least twice LEDGERFLOW_PROJECTOR_HEARTBEAT_MS',
  })
  .refine((e) => e.LEDGERFLOW_PROJECTOR_BREAKER_MAX_COOLDOWN_MS >= e.LEDGERFLOW_PROJECTOR_BREAKER_COOLDOWN_MS, {
    path: ['LEDGERFLOW_PROJECTOR_BREAKER_MAX_COOLDOWN_MS'],
    message: 'must be at least LEDGERFLOW_PROJECTOR_BREAKER_COOLDOWN_MS',
  });

/** The projector's configuration: the environment, validated once and frozen. */
export interface ProjectorConfig {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** P: the number of partition queues (`p0` … `p{P-1}`); once started, the database's (decision 017). */
  readonly partitions: number;
  /** LEDGERFLOW_PARTITIONS is set: the database must record this count. Unset, the projector follows the database's. */
  readonly partitionsSet: boolean;
  /** BullMQ prefix of the partition queues. @defaultValue `ledgerflow-<dbname>` */
  readonly redisPrefix: string;
  /** A transaction takes no more jobs once it holds this many events. @defaultValue 5000 */
  readonly maxBatchEvents: number;
  /** A transaction takes no more jobs once its first job has waited this long. @defaultValue 25 */
  readonly flushMs: number;
  /**
   * Connections writing rounds of several partitions' batches (WriteRounds), partition p on
   * writer p mod writers; 0 writes each batch through its partition's lock connection.
   */
  readonly writers: number;
  /** How often a member writes its heartbeat (database clock). @defaultValue 1000 */
  readonly heartbeatMs: number;
  /**
   * A member whose heartbeat is older than this is stalled: another member terminates its
   * connections (fencing it off) and takes its partitions. @defaultValue 6000
   */
  readonly memberTimeoutMs: number;
  /** How often a member reconciles its partitions with the fleet. @defaultValue 1000 */
  readonly rebalanceMs: number;
  /**
   * `LEDGERFLOW_PROJECTOR_BATCH_TIMEOUT_MS`: the most one batch transaction may take before its
   * COMMIT (each statement's server-side statement_timeout, and the whole batch's budget);
   * a batch over it rolls back and is retried. @defaultValue 30000
   */
  readonly batchTimeoutMs: number;
  /** `LEDGERFLOW_PROJECTOR_COMMIT_TIMEOUT_MS`: the most its COMMIT may take. @defaultValue 10000 */
  readonly commitTimeoutMs: number;
  /**
   * `LEDGERFLOW_PROJECTOR_SYNCHRONOUS_COMMIT` (`on` | `off`): whether batch commits wait for their
   * WAL to reach the disk. Off, a stalled WAL flush no longer holds every batch up; a crash of
   * PostgreSQL may lose the last batches, and ingest re-enqueues their events (decision 015).
   * @defaultValue off
   */
  readonly synchronousCommit: boolean;
  /**
   * The circuit breaker around PostgreSQL: `LEDGERFLOW_PROJECTOR_BREAKER_FAILURES` connection
   * failures in a row (default 5) within `…_BREAKER_WINDOW_MS` (default 10000) open it; a probe
   * follows after `…_BREAKER_COOLDOWN_MS` (default 500), doubling (jittered) with every failed
   * probe up to `…_BREAKER_MAX_COOLDOWN_MS` (default 5000; keep it below the member timeout, or
   * a member back from an outage may be fenced off before it probes again).
   */
  readonly breaker: BreakerPolicy;
  /**
   * `LEDGERFLOW_PROJECTOR_OPS_PORT`: port of `/healthz`, `/readyz` and `/metrics`. Several
   * projectors on one host need one each; 0 picks a free port (logged at start). @defaultValue 9466
   */
  readonly opsPort: number;
  /**
   * True when LEDGERFLOW_PROJECTOR_OPS_PORT is unset: if the default port is taken (another
   * projector on this host), a free one is used instead, with a warning naming it. A port set
   * explicitly is never swapped: taken, the projector refuses to start.
   */
  readonly opsPortFallback: boolean;
  /** `LEDGERFLOW_PROJECTOR_OPS_HOST`: address the ops server listens on. @defaultValue 127.0.0.1 */
  readonly opsHost: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** `OTEL_SERVICE_NAME` @defaultValue ledgerflow-projector */
  readonly serviceName: string;
  /**
   * From `OTEL_EXPORTER_OTLP_ENDPOINT` (e.g. http://127.0.0.1:4318) + `/v1/traces`; undefined
   * (no trace export) when it is unset or `OTEL_TRACES_EXPORTER` is `none`.
   */
  readonly otlpTracesUrl: string | undefined;
}

/** Database name of a PostgreSQL URL. */
export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

/**
 * The OTLP/HTTP traces URL: the base endpoint plus `/v1/traces`, as the OpenTelemetry spec
 * says for OTEL_EXPORTER_OTLP_ENDPOINT. No endpoint, or OTEL_TRACES_EXPORTER=none: no export.
 */
export function tracesUrl(endpoint: string | undefined, exporter: 'otlp' | 'none'): string | undefined {
  if (endpoint === undefined || exporter === 'none') return undefined;
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Reads and validates the environment (empty values count as unset, as in the API and
 * ingest); throws CONFIG_INVALID listing every problem.
 */
export function loadProjectorConfig(env: NodeJS.ProcessEnv = process.env): ProjectorConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new LedgerflowError('CONFIG_INVALID', `invalid projector configuration: ${problems}`);
  }
  const e = parsed.data;
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    partitions: e.LEDGERFLOW_PARTITIONS ?? DEFAULT_PARTITION_COUNT,
    partitionsSet: e.LEDGERFLOW_PARTITIONS !== undefined,
    redisPrefix: e.LEDGERFLOW_REDIS_PREFIX ?? `ledgerflow-${databaseName(e.DATABASE_URL)}`,
    maxBatchEvents: e.LEDGERFLOW_PROJECTOR_MAX_BATCH,
    flushMs: e.LEDGERFLOW_PROJECTOR_FLUSH_MS,
    writers: e.LEDGERFLOW_PROJECTOR_WRITERS,
    heartbeatMs: e.LEDGERFLOW_PROJECTOR_HEARTBEAT_MS,
    memberTimeoutMs: e.LEDGERFLOW_PROJECTOR_MEMBER_TIMEOUT_MS,
    rebalanceMs: e.LEDGERFLOW_PROJECTOR_REBALANCE_MS,
    batchTimeoutMs: e.LEDGERFLOW_PROJECTOR_BATCH_TIMEOUT_MS,
    commitTimeoutMs: e.LEDGERFLOW_PROJECTOR_COMMIT_TIMEOUT_MS,
    synchronousCommit: e.LEDGERFLOW_PROJECTOR_SYNCHRONOUS_COMMIT === 'on',
    breaker: Object.freeze({
      failureThreshold: e.LEDGERFLOW_PROJECTOR_BREAKER_FAILURES,
      windowMs: e.LEDGERFLOW_PROJECTOR_BREAKER_WINDOW_MS,
      baseCooldownMs: e.LEDGERFLOW_PROJECTOR_BREAKER_COOLDOWN_MS,
      maxCooldownMs: e.LEDGERFLOW_PROJECTOR_BREAKER_MAX_COOLDOWN_MS,
    }),
    opsPort: e.LEDGERFLOW_PROJECTOR_OPS_PORT ?? DEFAULT_OPS_PORT,
    opsPortFallback: e.LEDGERFLOW_PROJECTOR_OPS_PORT === undefined,
    opsHost: e.LEDGERFLOW_PROJECTOR_OPS_HOST,
    logLevel: e.LOG_LEVEL,
    serviceName: e.OTEL_SERVICE_NAME,
    otlpTracesUrl: tracesUrl(e.OTEL_EXPORTER_OTLP_ENDPOINT, e.OTEL_TRACES_EXPORTER),
  });
}
