import type { CliConfig } from '../config';
import { startApp, type AppName } from '../shared/app-process';

/**
 * `ledgerflow api|ingest|projector`: runs one app in the foreground with this terminal. Signals
 * are forwarded so SIGTERM/SIGINT drain the app; the app's exit code becomes ours.
 */
export function runApp(config: CliConfig, app: AppName, extraEnv: Record<string, string>): Promise<number> {
  const child = startApp(app, { ...config.env, ...extraEnv }, undefined, config.appHeapMb);
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGTERM', forward);
  process.on('SIGINT', forward);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
  });
}
