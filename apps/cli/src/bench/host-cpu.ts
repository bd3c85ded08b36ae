import { readFileSync } from 'node:fs';

/** Cumulative CPU time of the whole machine, all cores, in clock ticks (first line of /proc/stat). */
export interface CpuTimes {
  /** user + nice + system + irq + softirq (guest time is already inside user and nice). */
  readonly busy: number;
  /** idle + iowait. */
  readonly idle: number;
  /** Time the hypervisor ran something else while this VM had work: CPU this machine lost. */
  readonly steal: number;
}

/** Shares of the machine's CPU time between two readings, 0 to 1 each. */
export interface CpuShares {
  readonly busy: number;
  readonly steal: number;
}

/** Above this share of stolen time, figures say as much about the host as about Ledgerflow. */
export const STEAL_WARNING_SHARE = 0.05;

/** Parses the aggregate `cpu` line of a /proc/stat text; null if there is none. */
export function parseProcStat(text: string): CpuTimes | null {
  const match = /^cpu\s+(.+)$/m.exec(text);
  if (!match) return null;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = match[1]!.trim().split(/\s+/).map(Number);
  if ([user, nice, system, idle].some((v) => !Number.isFinite(v))) return null;
  return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal };
}

/** The machine's CPU times now; null where /proc/stat cannot be read (not Linux). */
export function readCpuTimes(): CpuTimes | null {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

/** How the machine's CPU time was spent between two readings; null without both or without time passing. */
export function cpuShares(before: CpuTimes | null, after: CpuTimes | null): CpuShares | null {
  if (!before || !after) return null;
  const busy = after.busy - before.busy;
  const steal = after.steal - before.steal;
  const total = busy + steal + (after.idle - before.idle);
  if (total <= 0) return null;
  return { busy: busy / total, steal: steal / total };
}
