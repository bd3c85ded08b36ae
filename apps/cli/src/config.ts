import { DEFAULT_PARTITION_COUNT } from '@ledgerflow/cdc-core';
import { z } from 'zod';
import { DEFAULT_APP_HEAP_MB } from './shared/app-process';

const schema = z.object({
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/ledgerflow'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  LEDGERFLOW_PARTITIONS: z.coerce.number().int().min(1).max(1024).optional(),
  LEDGERFLOW_REDIS_PREFIX: z.string().min(1).optional(),
  LEDGERFLOW_SLOT: z.string().regex(/^[a-z0-9_]{1,63}$/).optional(),
  LEDGERFLOW_APP_HEAP_MB: z.coerce.number().int().min(64).max(65_536).default(DEFAULT_APP_HEAP_MB),
});

/** The CLI's configuration: the environment, validated once and frozen. */
export interface CliConfig {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** LEDGERFLOW_PARTITIONS, or the default: the count of the pipelines the CLI itself starts (demo, bench). */
  readonly partitions: number;
  /** LEDGERFLOW_PARTITIONS is set (unset, apps follow the database's count: decision 017). */
  readonly partitionsSet: boolean;
  readonly redisPrefix: string;
  readonly slotName: string;
  /** Old-generation heap limit (MiB) of the app processes the CLI starts (`LEDGERFLOW_APP_HEAP_MB`). */
  readonly appHeapMb: number;
  /** The environment the CLI was started with, handed to the app processes it starts. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Database name of a PostgreSQL URL. */
export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

/** Reads and validates the environment; throws with every problem listed. */
export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  // An empty variable counts as unset, as in the apps' configurations.
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== '')));
  if (!parsed.success) {
    throw new Error(`invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  const db = databaseName(e.DATABASE_URL);
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    partitions: e.LEDGERFLOW_PARTITIONS ?? DEFAULT_PARTITION_COUNT,
    partitionsSet: e.LEDGERFLOW_PARTITIONS !== undefined,
    redisPrefix: e.LEDGERFLOW_REDIS_PREFIX ?? `ledgerflow-${db}`,
    slotName: e.LEDGERFLOW_SLOT ?? `ledgerflow_${db.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63),
    appHeapMb: e.LEDGERFLOW_APP_HEAP_MB,
    env: Object.freeze({ ...env }),
  });
}
