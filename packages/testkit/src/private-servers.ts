import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function pgBin(name: string): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  return path.join('/usr/lib/postgresql', versions[0]!, 'bin', name);
}

/** Runs a PostgreSQL tool as the postgres user when we are root (initdb refuses root). */
function asPostgres(bin: string, args: string[]): string {
  const isRoot = process.getuid?.() === 0;
  return execFileSync(isRoot ? 'runuser' : bin, isRoot ? ['-u', 'postgres', '--', bin, ...args] : args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * A PostgreSQL server of the test's own (its own data directory and port, wal_level=logical),
 * so fault-injection tests can stop and restart it without touching anyone else's tests.
 */
export interface PrivatePostgres {
  readonly port: number;
  /** URL of its `postgres` database. */
  readonly adminUrl: string;
  stop(): void;
  start(): void;
  restart(): void;
  /**
   * A crash: an immediate stop (no shutdown checkpoint, WAL buffers not yet written are lost,
   * as when the server is killed), then a start, which runs crash recovery.
   */
  crash(): void;
  destroy(): void;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'lf-pg-'));
  chmodSync(dir, 0o777);
  const data = path.join(dir, 'data');
  asPostgres(pgBin('initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c wal_level=logical -c max_replication_slots=20 -c max_wal_senders=20 -c fsync=off -c max_connections=200`;
  const ctl = (...args: string[]) => asPostgres(pgBin('pg_ctl'), ['-D', data, '-w', '-t', '60', ...args]);
  const start = () => void ctl('-o', opts, '-l', path.join(dir, 'log'), 'start');
  start();
  return {
    port,
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop: () => void ctl('-m', 'fast', 'stop'),
    restart: () => void ctl('-m', 'fast', '-o', opts, '-l', path.join(dir, 'log'), 'restart'),
    crash: () => {
      ctl('-m', 'immediate', 'stop');
      start();
    },
    destroy() {
      try {
        ctl('-m', 'immediate', 'stop');
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Redis server of the test's own, so a test may FLUSHALL or kill it. */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      try {
        execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'ignore' });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`private redis on ${port} did not start`);
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGKILL');
      });
    },
  };
}
