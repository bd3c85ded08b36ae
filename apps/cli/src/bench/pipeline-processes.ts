import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { WORKSPACE_ROOT, startApp, stopApp } from '../shared/app-process';

/** Ingest and its projectors, as one bench run starts them. */
export interface PipelineProcesses {
  /** A process that has already exited, if any. */
  firstExited(): ChildProcess | undefined;
  /** One value per process, keyed by its report name: `ingest`, `projector-0`, `projector-1`, … */
  byName<T>(read: (child: ChildProcess) => T): Record<string, T>;
  stop(): Promise<void>;
}

/** What a bench run's pipeline needs. */
export interface PipelineOptions {
  readonly databaseUrl: string;
  readonly redisPrefix: string;
  readonly slot: string;
  readonly partitions: number;
  readonly projectors: number;
  readonly env: Record<string, string | undefined>;
  /** Heap limit of the app processes (see DEFAULT_APP_HEAP_MB). */
  readonly heapMb?: number | undefined;
  /** Prefix of the log files under `.ledgerflow/bench/` (`steady-` gives `steady-ingest.log`). */
  readonly logPrefix: string;
}

/**
 * Starts ingest and `projectors` projector processes on one database, slot and key prefix, with
 * quiet logs (to `.ledgerflow/bench/`) and ops servers on free ports, so runs never collide
 * with a pipeline already running on the machine.
 */
export function startPipeline(options: PipelineOptions): PipelineProcesses {
  const env = {
    ...options.env,
    DATABASE_URL: options.databaseUrl,
    LEDGERFLOW_REDIS_PREFIX: options.redisPrefix,
    LEDGERFLOW_SLOT: options.slot,
    LEDGERFLOW_PARTITIONS: String(options.partitions),
    LOG_LEVEL: 'warn',
    LEDGERFLOW_INGEST_OPS_PORT: '0',
    LEDGERFLOW_PROJECTOR_OPS_PORT: '0',
  };
  const logDir = path.join(WORKSPACE_ROOT, '.ledgerflow', 'bench');
  const names = ['ingest', ...Array.from({ length: options.projectors }, (_, i) => `projector-${i}`)];
  const children = names.map((name) => startApp(name === 'ingest' ? 'ingest' : 'projector', env, path.join(logDir, `${options.logPrefix}${name}.log`), options.heapMb));
  return {
    firstExited: () => children.find((child) => child.exitCode !== null || child.signalCode !== null),
    byName: (read) => Object.fromEntries(children.map((child, i) => [names[i]!, read(child)])),
    stop: async () => {
      await Promise.all(children.map((child) => stopApp(child)));
    },
  };
}
