import { readProcFile } from './proc-file';

/** Clock ticks per second of /proc times (USER_HZ: 100 on every Linux the project runs on). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system) of a process in seconds, from a /proc/<pid>/stat text. The command
 * name (field 2) may hold spaces and parentheses, so fields are counted after its last ')'.
 */
export function parseProcessCpuSeconds(stat: string): number | null {
  const end = stat.lastIndexOf(')');
  if (end < 0) return null;
  // After the name: state is field 3, so utime (14) and stime (15) are the 12th and 13th here.
  const fields = stat.slice(end + 1).trim().split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / TICKS_PER_SECOND : null;
}

/** CPU seconds a live process has used so far; null where /proc is absent or the process is gone. */
export function readProcessCpuSeconds(pid: number | undefined): number | null {
  return readProcFile(pid, 'stat', parseProcessCpuSeconds);
}

/** Each process's CPU over a window, as % of one core, from readings at its start and end. */
export function cpuPercents(before: Record<string, number | null>, after: Record<string, number | null>, seconds: number): Record<string, number> {
  const out: Record<string, number> = {};
  if (seconds <= 0) return out;
  for (const [name, end] of Object.entries(after)) {
    const start = before[name];
    if (end !== null && start !== null && start !== undefined) out[name] = ((end - start) / seconds) * 100;
  }
  return out;
}
