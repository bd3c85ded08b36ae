import type { BatchStats } from './project-batch';

/** Running totals of one projector process since it started. */
export interface ProjectorStats {
  /** Committed transactions. */
  readonly batches: number;
  /** Queue jobs completed by those transactions. */
  readonly jobs: number;
  /** Events delivered in those jobs. */
  readonly events: number;
  readonly applied: number;
  readonly duplicates: number;
  readonly repaired: number;
  readonly failures: number;
  /** Accounts this process parked (G5): equal to `failures`, named for the metrics that report it. */
  readonly parkedAccounts: number;
  /** Events of already parked accounts this process appended to the dead-letter store as held. */
  readonly held: number;
  /** Transactions rolled back (their jobs handed back to BullMQ for a retry). */
  readonly rolledBack: number;
  /** Jobs failed without retry because their payload could not be read. */
  readonly invalidJobs: number;
}

/** Mutable counters behind `ProjectorStats`; one instance per projector. */
export class ProjectorCounters {
  #stats = { batches: 0, jobs: 0, events: 0, applied: 0, duplicates: 0, repaired: 0, failures: 0, parkedAccounts: 0, held: 0, rolledBack: 0, invalidJobs: 0 };

  committed(batch: BatchStats, jobs: number, events: number): void {
    const s = this.#stats;
    s.batches++;
    s.jobs += jobs;
    s.events += events;
    s.applied += batch.applied;
    s.duplicates += batch.duplicates;
    s.repaired += batch.repaired;
    s.failures += batch.failures;
    s.parkedAccounts += batch.failures;
    s.held += batch.held;
  }

  rolledBack(): void {
    this.#stats.rolledBack++;
  }

  invalidJob(): void {
    this.#stats.invalidJobs++;
  }

  snapshot(): ProjectorStats {
    return Object.freeze({ ...this.#stats });
  }
}
