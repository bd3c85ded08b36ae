import { checkReadiness, type Readiness } from '@ledgerflow/metrics';

/** What a member knows of its share of the work. */
export interface PartitionDuty {
  /** Partitions this member owns now. */
  readonly owned: number;
  /** Live members of the fleet, this one included (as of its last rebalancing step). */
  readonly members: number;
  /** P. */
  readonly partitions: number;
}

/**
 * Why a member is not doing its share, or undefined when it is: it owns a partition, or it
 * owns none because the fleet has more members than partitions (a spare, ready to take over).
 * A member that owns nothing in a fleet with work for everyone is still waiting for a share
 * (joining) or lost its partitions (fenced off). Pure.
 */
export function partitionDutyProblem(duty: PartitionDuty): string | undefined {
  if (duty.owned > 0) return undefined;
  if (duty.members > duty.partitions) return undefined;
  return `owns none of the ${duty.partitions} partitions, and the fleet's ${duty.members} live member(s) do not outnumber them`;
}

/** The checks behind a projector's `/readyz`. */
export interface ProjectorProbes {
  /** Resolves when PostgreSQL answers. */
  readonly postgres: () => Promise<unknown>;
  /** Resolves when Redis answers. */
  readonly redis: () => Promise<unknown>;
  readonly duty: () => PartitionDuty;
}

/**
 * Ready = PostgreSQL reachable AND Redis reachable AND the member does its share (owns a
 * partition, or is a spare in a fleet with more members than partitions). Each failing check
 * gives one reason: `postgres: …`, `redis: …`, `partitions: …`.
 */
export function projectorReadiness(probes: ProjectorProbes, timeoutMs = 1000): Promise<Readiness> {
  return checkReadiness(
    {
      postgres: probes.postgres,
      redis: probes.redis,
      partitions: async () => {
        const problem = partitionDutyProblem(probes.duty());
        if (problem !== undefined) throw new Error(problem);
      },
    },
    timeoutMs,
  );
}
