import type { CpuTimes } from './host-cpu';

/** Clock ticks per second of /proc/stat (USER_HZ: 100 on every Linux the project runs on). */
const TICKS_PER_SECOND = 100;

/** The whole machine's busy time between two readings, as % of one core (200 = two cores busy); null without both. */
export function machineBusyPercent(before: CpuTimes | null, after: CpuTimes | null, seconds: number): number | null {
  if (!before || !after || seconds <= 0) return null;
  return ((after.busy - before.busy) / TICKS_PER_SECOND / seconds) * 100;
}

/**
 * Adds `other` to the CPU of named processes: what the machine spent beyond all of them
 * (`alsoNamed` are counted but not returned — the pipeline's own processes, reported apart).
 * Readings are taken a moment apart and ticks are coarse, so a small negative rest is noise: 0.
 */
export function withOther(named: Record<string, number>, alsoNamed: Record<string, number>, machinePercent: number | null): Record<string, number> {
  if (machinePercent === null) return { ...named };
  const sum = [...Object.values(named), ...Object.values(alsoNamed)].reduce((a, b) => a + b, 0);
  return { ...named, other: Math.max(0, machinePercent - sum) };
}

/** The server's pid from the text of Redis `INFO server`; undefined when it is not there. */
export function redisPidOfInfo(info: string): number | undefined {
  const match = /^process_id:(\d+)\r?$/m.exec(info);
  return match ? Number(match[1]) : undefined;
}
