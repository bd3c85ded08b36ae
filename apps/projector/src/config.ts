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
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
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
    logLevel: e.LOG_LEVEL,
  });
}
