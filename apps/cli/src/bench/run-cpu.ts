import { cpuShares, readCpuTimes, type CpuShares } from './host-cpu';
import { machineBusyPercent, withOther } from './machine-cpu';
import { cpuPercents } from './process-cpu';
import { readSurroundingCpuSeconds, type SurroundingPids } from './surrounding-processes';

/** Where a steady run's CPU went (see SteadyResult). */
export interface RunCpu {
  readonly cpu: CpuShares | null;
  readonly processCpuPercent: Record<string, number>;
  readonly surroundingCpuPercent: Record<string, number>;
}

/**
 * Starts a CPU window: the machine, the pipeline's processes (`readApps`: CPU seconds by name)
 * and the processes around them. Call the result at the window's end.
 */
export function startCpuWindow(readApps: () => Record<string, number | null>, pids: SurroundingPids): () => RunCpu {
  const appsBefore = readApps();
  const surroundingBefore = readSurroundingCpuSeconds(pids);
  const machineBefore = readCpuTimes();
  const startedAt = Date.now();
  return () => {
    const machineAfter = readCpuTimes();
    const seconds = (Date.now() - startedAt) / 1000;
    const processCpuPercent = cpuPercents(appsBefore, readApps(), seconds);
    const surrounding = cpuPercents(surroundingBefore, readSurroundingCpuSeconds(pids), seconds);
    return {
      cpu: cpuShares(machineBefore, machineAfter),
      processCpuPercent,
      surroundingCpuPercent: withOther(surrounding, processCpuPercent, machineBusyPercent(machineBefore, machineAfter, seconds)),
    };
  };
}
