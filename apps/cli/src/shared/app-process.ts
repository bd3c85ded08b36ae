import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';

/** The apps the CLI can run as processes. */
export type AppName = 'api' | 'ingest' | 'projector';

/** The workspace root (this file lives in apps/cli/src/shared). */
export const WORKSPACE_ROOT = path.resolve(__dirname, '../../../..');

/**
 * Old-generation heap limit of an app process, in MiB. Node sizes its heap from the machine's
 * memory and lets garbage pile up far past the live set (≈ 60 MiB in a catch-up, for ingest
 * and projector alike): without a limit both peaked near 300 MiB RSS in a 1,000,000-event
 * catch-up; with 160 they stay under 180 MiB (decision 009).
 */
export const DEFAULT_APP_HEAP_MB = 160;

/** The node arguments that run an app's TypeScript entry point. */
export function appCommand(app: AppName, heapMb: number = DEFAULT_APP_HEAP_MB): string[] {
  return [`--max-old-space-size=${heapMb}`, '--require', 'tsx/cjs', path.join(WORKSPACE_ROOT, 'apps', app, 'src', 'main.ts')];
}

/**
 * Starts an app as a child process. With `logFile` its output goes there (the demo keeps the
 * terminal for its live view); otherwise it shares the terminal.
 */
export function startApp(app: AppName, env: Record<string, string | undefined>, logFile?: string, heapMb?: number): ChildProcess {
  if (!logFile) return spawn(process.execPath, appCommand(app, heapMb), { env, stdio: 'inherit', cwd: WORKSPACE_ROOT });
  mkdirSync(path.dirname(logFile), { recursive: true });
  const child = spawn(process.execPath, appCommand(app, heapMb), { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: WORKSPACE_ROOT });
  const out = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  return child;
}

/** Sends SIGTERM and waits for the exit; SIGKILL after `graceMs`. Resolves with the exit code. */
export function stopApp(child: ChildProcess, graceMs = 15_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}
