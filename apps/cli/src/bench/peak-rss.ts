import { readProcFile } from './proc-file';

/** Parses the `VmHWM` line (peak resident set size) of a /proc/<pid>/status text into bytes. */
export function parseVmHwm(status: string): number | null {
  const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : null;
}

/**
 * The peak RSS of a live process, from the kernel's high-water mark (so one read just before
 * the process stops sees its whole life). Null where /proc is absent or the process is gone.
 */
export function readPeakRss(pid: number | undefined): number | null {
  return readProcFile(pid, 'status', parseVmHwm);
}

/** Merges peak-RSS readings by process name, keeping the highest. */
export function mergePeaks(into: Record<string, number>, readings: Record<string, number | null>): void {
  for (const [name, bytes] of Object.entries(readings)) {
    if (bytes !== null && bytes > (into[name] ?? 0)) into[name] = bytes;
  }
}
