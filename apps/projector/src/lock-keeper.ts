import type { Job, Worker } from 'bullmq';
import type { Logger } from 'pino';

/**
 * Renews the locks of manually fetched jobs every half lock period, from the moment each job
 * is taken until stopped. BullMQ only renews locks of jobs its own main loop runs; without
 * this a batch still being gathered or projected when its lock runs out would be seen as
 * stalled and redelivered (harmless under G1, but wasted work).
 */
export class JobLockKeeper {
  readonly #worker: Worker;
  readonly #lockMs: number;
  readonly #logger: Logger;
  readonly #jobs: Job[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(worker: Worker, lockMs: number, logger: Logger) {
    this.#worker = worker;
    this.#lockMs = lockMs;
    this.#logger = logger;
  }

  /** Keeps this job's lock from now on. */
  add(job: Job): void {
    this.#jobs.push(job);
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#renew(), Math.max(1, Math.floor(this.#lockMs / 2)));
    this.#timer.unref();
  }

  /** Stops renewing. Idempotent. */
  stop(): void {
    clearInterval(this.#timer);
  }

  #renew(): void {
    const worker = this.#worker;
    const ids = this.#jobs.map((j) => j.id ?? '');
    const tokens = this.#jobs.map((j) => j.token ?? '');
    worker.extendJobLocks(ids, tokens, this.#lockMs).then(
      (lost) => {
        if (lost.length > 0) this.#logger.warn({ queue: worker.name, jobIds: lost }, 'lost the lock of jobs still being projected; they will be redelivered as no-ops');
      },
      (err: unknown) => this.#logger.warn({ queue: worker.name, err }, 'could not renew job locks'),
    );
  }
}
