import { readFileSync } from 'node:fs';

/** Parses /proc/<pid>/<file> of a live process; null where /proc is absent, the process is gone, or the parse fails. */
export function readProcFile<T>(pid: number | undefined, file: string, parse: (text: string) => T | null): T | null {
  if (pid === undefined) return null;
  try {
    return parse(readFileSync(`/proc/${pid}/${file}`, 'utf8'));
  } catch {
    return null;
  }
}
