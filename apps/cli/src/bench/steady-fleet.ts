/** Catch-up figures the choice is made from. */
export interface FleetThroughput {
  readonly projectors: number;
  readonly eventsPerSecond: number;
}

/** Catch-ups within this fraction of the fastest are a tie: run-to-run noise on this machine is larger. */
export const FLEET_TIE = 0.05;

/**
 * The projector count the steady-state runs use: the smallest fleet whose catch-up came within
 * `tie` of the fastest. Decided from the catch-ups alone, before any lag is measured. A bigger
 * fleet that projects no faster only adds processes contending for the same cores, which shows
 * as latency; it is what an operator would not deploy.
 */
export function steadyStateFleet(catchups: readonly FleetThroughput[], tie = FLEET_TIE): number {
  if (catchups.length === 0) throw new Error('steadyStateFleet: no catch-up to choose from');
  const fastest = Math.max(...catchups.map((c) => c.eventsPerSecond));
  const contenders = catchups.filter((c) => c.eventsPerSecond >= fastest * (1 - tie));
  return Math.min(...contenders.map((c) => c.projectors));
}
