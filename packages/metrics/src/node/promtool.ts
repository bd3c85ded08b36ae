import { spawnSync } from 'node:child_process';

/** Outcome of linting a scrape with promtool. */
export interface PromtoolResult {
  /** `missing` when promtool is not on PATH (Debian package `prometheus` provides it). */
  readonly status: 'passed' | 'failed' | 'missing';
  /** promtool's findings (empty when it passed). */
  readonly output: string;
}

/**
 * Runs `promtool check metrics` (Prometheus's own linter: naming, units, `_total` on counters,
 * help text, reserved suffixes) on a `/metrics` body. For tests; CI treats `missing` as a failure.
 */
export function promtoolCheck(text: string): PromtoolResult {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return { status: 'missing', output: 'promtool is not on PATH' };
  if (run.error) return { status: 'failed', output: String(run.error) };
  return { status: run.status === 0 ? 'passed' : 'failed', output: `${run.stdout}${run.stderr}`.trim() };
}
