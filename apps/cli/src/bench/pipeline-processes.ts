import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { WORKSPACE_ROOT, startApp, stopApp } from '../shared/app-process';
import { freePort } from '../shared/free-port';

/** Ingest and its projectors, as one bench run starts them. */
export interface PipelineProcesses {
  /** A process that has already exited, if any. */
  firstExited(): ChildProcess | undefined;
  /** One value per process, keyed by its report name: `ingest`, `projector-0`, `projector-1`, … */
  byName<T>(read: (child: ChildProcess) => T): Record<string, T>;
  /** Each process's Prometheus endpoint (`http://127.0.0.1:<port>/metrics`), by report name. */
  readonly metricsUrls: Readonly<Record<string, string>>;
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
 * with a pipeline already running on the machine; the bench reads their metrics there.
 */
export async function startPipeline(options: PipelineOptions): Promise<PipelineProcesses> {
  const names = ['ingest', ...Array.from({ length: options.projectors }, (_, i) => `projector-${i}`)];
  // Distinct: a port just closed can come back from the next ask.
  const ports: number[] = [];
  while (ports.length < names.length) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const env = {
    ...options.env,
    DATABASE_URL: options.databaseUrl,
    LEDGERFLOW_REDIS_PREFIX: options.redisPrefix,
    LEDGERFLOW_SLOT: options.slot,
    LEDGERFLOW_PARTITIONS: String(options.partitions),
    LOG_LEVEL: 'warn',
  };
  const logDir = path.join(WORKSPACE_ROOT, '.ledgerflow', 'bench');
  const children = names.map((name, i) => {
    const ops = name === 'ingest' ? { LEDGERFLOW_INGEST_OPS_PORT: String(ports[i]) } : { LEDGERFLOW_PROJECTOR_OPS_PORT: String(ports[i]) };
    return startApp(name === 'ingest' ? 'ingest' : 'projector', { ...env, ...ops }, path.join(logDir, `${options.logPrefix}${name}.log`), options.heapMb);
  });
  return {
    metricsUrls: Object.fromEntries(names.map((name, i) => [name, `http://127.0.0.1:${ports[i]}/metrics`])),
    firstExited: () => children.find((child) => child.exitCode !== null || child.signalCode !== null),
    byName: (read) => Object.fromEntries(children.map((child, i) => [names[i]!, read(child)])),
    stop: async () => {
      await Promise.all(children.map((child) => stopApp(child)));
    },
  };
}
