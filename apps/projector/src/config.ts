import { LedgerflowError } from '@ledgerflow/cdc-core';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const schema = z.object({
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/ledgerflow'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  LEDGERFLOW_PARTITIONS: z.coerce.number().int().min(1).max(1024).default(16),
  LEDGERFLOW_REDIS_PREFIX: z.string().min(1).optional(),
  LEDGERFLOW_PROJECTOR_MAX_BATCH: z.coerce.number().int().min(1).max(100_000).default(5000),
  LEDGERFLOW_PROJECTOR_FLUSH_MS: z.coerce.number().int().min(0).max(60_000).default(25),
  LEDGERFLOW_PROJECTOR_HEARTBEAT_MS: z.coerce.number().int().min(20).max(60_000).default(1000),
  LEDGERFLOW_PROJECTOR_MEMBER_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(6000),
  LEDGERFLOW_PROJECTOR_REBALANCE_MS: z.coerce.number().int().min(20).max(60_000).default(1000),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
})
  // A live member misses no more than one beat before it counts as stalled and is fenced off.
  .refine((e) => e.LEDGERFLOW_PROJECTOR_MEMBER_TIMEOUT_MS >= 2 * e.LEDGERFLOW_PROJECTOR_HEARTBEAT_MS, {
    path: ['LEDGERFLOW_PROJECTOR_MEMBER_TIMEOUT_MS'],
    message: 'must be at least twice LEDGERFLOW_PROJECTOR_HEARTBEAT_MS',
  });

/** The projector's configuration: the environment, validated once and frozen. */
export interface ProjectorConfig {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** P: the number of partition queues (`p0` … `p{P-1}`). */
  readonly partitions: number;
  /** BullMQ prefix of the partition queues. @defaultValue `ledgerflow-<dbname>` */
  readonly redisPrefix: string;
  /** A transaction takes no more jobs once it holds this many events. @defaultValue 5000 */
  readonly maxBatchEvents: number;
  /** A transaction takes no more jobs once its first job has waited this long. @defaultValue 25 */
  readonly flushMs: number;
  /** How often a member writes its heartbeat (database clock). @defaultValue 1000 */
  readonly heartbeatMs: number;
  /**
   * A member whose heartbeat is older than this is stalled: another member terminates its
   * connections (fencing it off) and takes its partitions. @defaultValue 6000
   */
  readonly memberTimeoutMs: number;
  /** How often a member reconciles its partitions with the fleet. @defaultValue 1000 */
  readonly rebalanceMs: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
}

/** Database name of a PostgreSQL URL. */
export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

/** Reads and validates the environment; throws CONFIG_INVALID listing every problem. */
export function loadProjectorConfig(env: NodeJS.ProcessEnv = process.env): ProjectorConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new LedgerflowError('CONFIG_INVALID', `invalid projector configuration: ${problems}`);
  }
  const e = parsed.data;
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    partitions: e.LEDGERFLOW_PARTITIONS,
    redisPrefix: e.LEDGERFLOW_REDIS_PREFIX ?? `ledgerflow-${databaseName(e.DATABASE_URL)}`,
    maxBatchEvents: e.LEDGERFLOW_PROJECTOR_MAX_BATCH,
    flushMs: e.LEDGERFLOW_PROJECTOR_FLUSH_MS,
    heartbeatMs: e.LEDGERFLOW_PROJECTOR_HEARTBEAT_MS,
    memberTimeoutMs: e.LEDGERFLOW_PROJECTOR_MEMBER_TIMEOUT_MS,
    rebalanceMs: e.LEDGERFLOW_PROJECTOR_REBALANCE_MS,
    logLevel: e.LOG_LEVEL,
  });
}
