import { execFile } from 'node:child_process';
import path from 'node:path';

/** What a `ledgerflow …` run printed and how it exited. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The real binary, as users run it. */
const BIN = path.resolve(__dirname, '../../bin/ledgerflow.js');

/** Runs `ledgerflow <args>` with the test's environment on top of this process's; never rejects. */
export function runCli(env: Record<string, string>, args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
