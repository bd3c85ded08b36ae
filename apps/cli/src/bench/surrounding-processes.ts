import type { Redis } from 'ioredis';
import type pg from 'pg';
import { redisPidOfInfo } from './machine-cpu';
import { readProcFile } from './proc-file';
import { readProcessCpuSeconds } from './process-cpu';

/**
 * The processes that share the machine with the pipeline during a steady run, where they run
 * on this machine: the walsender decoding for ingest, the PostgreSQL backends of the bench's
 * appender (the write side's inserts) and lag poller, and Redis.
 */
export interface SurroundingPids {
  readonly walsender?: number;
  readonly appenderBackend?: number;
  readonly pollerBackend?: number;
  readonly redis?: number;
}

/** A server names its pids; only one running here under the expected command is ours to read (a remote server's pid may name anything locally). */
function localPid(pid: number | undefined, command: string): number | undefined {
  return readProcFile(pid, 'comm', (text) => (text.trim().startsWith(command) ? true : null)) ? pid : undefined;
}

async function backendPid(client: pg.ClientBase): Promise<number | undefined> {
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  return localPid(rows[0]?.pid, 'postgres');
}

/** Looks the pids up once the slot streams (its walsender then holds it). */
export async function findSurroundingPids(deps: { pool: pg.Pool; slot: string; appender: pg.ClientBase; poller: pg.ClientBase; redis: Redis }): Promise<SurroundingPids> {
  const { rows } = await deps.pool.query<{ pid: number | null }>('select active_pid as pid from pg_replication_slots where slot_name = $1', [deps.slot]);
  return {
    walsender: localPid(rows[0]?.pid ?? undefined, 'postgres'),
    appenderBackend: await backendPid(deps.appender),
    pollerBackend: await backendPid(deps.poller),
    redis: localPid(redisPidOfInfo(await deps.redis.info('server')), 'redis'),
  };
}

/**
 * CPU seconds so far of each surrounding process, and of this bench process itself (event
 * generator, appender and poller clients, lag tracking); null for one not on this machine.
 */
export function readSurroundingCpuSeconds(pids: SurroundingPids): Record<string, number | null> {
  const bench = process.cpuUsage();
  return {
    walsender: readProcessCpuSeconds(pids.walsender),
    'appender-backend': readProcessCpuSeconds(pids.appenderBackend),
    'poller-backend': readProcessCpuSeconds(pids.pollerBackend),
    bench: (bench.user + bench.system) / 1e6,
    redis: readProcessCpuSeconds(pids.redis),
  };
}
