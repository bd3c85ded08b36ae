import type { Job, Worker } from 'bullmq';
import type { Logger } from 'pino';

/**
 * Renews the locks of manually fetched jobs every half lock period until stopped. BullMQ only
 * renews locks of jobs its own main loop runs; without this a batch slower than the lock
 * duration would be seen as stalled and redelivered (harmless under G1, but wasted work).
 */
export function keepLocks(worker: Worker, jobs: readonly Job[], lockMs: number, logger: Logger): { stop(): void } {
  const ids = jobs.map((j) => j.id ?? '');
  const tokens = jobs.map((j) => j.token ?? '');
  const timer = setInterval(() => {
    worker.extendJobLocks(ids, tokens, lockMs).then(
      (lost) => {
        if (lost.length > 0) logger.warn({ queue: worker.name, jobIds: lost }, 'lost the lock of jobs still being projected; they will be redelivered as no-ops');
      },
      (err: unknown) => logger.warn({ queue: worker.name, err }, 'could not renew job locks'),
    );
  }, Math.max(1, Math.floor(lockMs / 2)));
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
