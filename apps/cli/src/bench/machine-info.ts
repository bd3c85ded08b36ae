import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { WORKSPACE_ROOT } from '../shared/app-process';
import type { MachineInfo } from './bench-report';

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(WORKSPACE_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Cores, memory and the versions of everything the figures depend on. */
export async function machineInfo(pool: pg.Pool, redis: Redis): Promise<MachineInfo> {
  const postgres = (await pool.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v;
  const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
  return {
    cores: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    memory_bytes: os.totalmem(),
    platform: `${os.platform()} ${os.release()}`,
    versions: { node: process.version, postgres, redis: redisVersion, bullmq: packageVersion('bullmq'), pg: packageVersion('pg'), kysely: packageVersion('kysely') },
  };
}
