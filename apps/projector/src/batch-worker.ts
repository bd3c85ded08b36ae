import { RedisQueueBackend, Worker, type Job, type JobJson } from 'bullmq';

/**
 * Lock period of a fetched job, renewed every half period while its batch is in hand, and
 * period of the stalled-job check. When a projector is killed its jobs' locks run out within
 * LOCK_MS, and the partition's next owner runs the check as soon as it takes over (member
 * timeout + one rebalancing step, ≤ 7 s by default) and every STALLED_INTERVAL_MS after. A
 * job is moved back once a check saw it active and a later one finds its lock gone, so the
 * jobs of a killed projector are waiting again about 9 s after the kill with the defaults,
 * inside the 10 s takeover budget. A job redelivered early is a no-op (G1): only delay matters.
 */
export const LOCK_MS = 6000;
const STALLED_INTERVAL_MS = 2000;
/**
 * Redelivery is a no-op (G1), so a job may stall (its projector killed) several times before
 * BullMQ gives up on it; the default of 1 would fail a batch after two crashes.
 */
const MAX_STALLED_COUNT = 5;
/**
 * Seconds one blocking fetch waits for a job: bounds how long `stop()` waits on an idle
 * partition, at the cost of one BZPOPMIN per idle partition per period.
 */
const BLOCK_SECONDS = 1;

/**
 * BullMQ sets a queue's wake-up marker on every add AND again whenever a worker takes a job
 * (so that another worker sharing the queue looks for more). A partition queue has one
 * consumer, so after the queue runs dry the marker left by the last take is stale: the next
 * blocking fetch would return at once and run BullMQ's fetch script for nothing, once per idle
 * period of every partition — at low rates, once per job. This removes the plain marker, in
 * one atomic step, only when nothing waits; a job added later sets it again, so no wake-up is
 * lost. The delayed-job marker (member "1") is left alone.
 */
const CLEAR_STALE_MARKER = {
  name: 'ledgerflowClearStaleMarker',
  numberOfKeys: 3,
  lua: `if redis.call('LLEN', KEYS[1]) == 0 and redis.call('ZCARD', KEYS[2]) == 0 then
  return redis.call('ZREM', KEYS[3], '0')
end
return 0`,
} as const;

/**
 * BullMQ's Worker in manual mode, plus what its own processing loop does after a job: complete
 * it and take the queue's next job in the SAME Redis call (the completion script's fetch-next).
 * A partition consumer that finishes a batch that way only blocks on the queue when the call
 * found it empty: three Redis calls per job at low rates instead of four.
 */
export class BatchWorker extends Worker {
  /** Clients the marker script is defined on (a reconnect may hand out a new one). */
  #markerScriptOn: WeakSet<object> | undefined;

  constructor(queueName: string, redisUrl: string, prefix: string) {
    super(queueName, null, {
      connection: { url: redisUrl, maxRetriesPerRequest: null },
      prefix,
      autorun: false,
      concurrency: 1,
      drainDelay: BLOCK_SECONDS,
      lockDuration: LOCK_MS,
      stalledInterval: STALLED_INTERVAL_MS,
      maxStalledCount: MAX_STALLED_COUNT,
    });
  }

  /**
   * Completes `job` (held with `token`); resolves with the next waiting job, taken under the
   * same token and now active, or undefined when the queue was empty (the worker is then
   * drained, so its next blocking fetch waits on the queue's marker straight away).
   */
  async completeAndTakeNext(job: Job, token: string): Promise<Job | undefined> {
    const next: unknown = await job.moveToCompleted(null, token, true);
    const [jobData, jobId] = Array.isArray(next) ? (next as [JobJson | undefined, string | undefined]) : [undefined, undefined];
    if (!jobData) await this.#clearStaleMarker();
    // Without job data this marks the worker drained, as its own loop would.
    return (await this.nextJobFromJobData(jobData, jobId, token)) ?? undefined;
  }

  /** See CLEAR_STALE_MARKER. A failure only costs the wasted fetch it would have saved. */
  async #clearStaleMarker(): Promise<void> {
    if (!(this.backend instanceof RedisQueueBackend)) return;
    try {
      const client = await this.backend.client;
      this.#markerScriptOn ??= new WeakSet();
      if (!this.#markerScriptOn.has(client)) {
        client.defineCommand(CLEAR_STALE_MARKER.name, CLEAR_STALE_MARKER);
        this.#markerScriptOn.add(client);
      }
      await client.runCommand(CLEAR_STALE_MARKER.name, [this.toKey('wait'), this.toKey('prioritized'), this.toKey('marker')]);
    } catch {
      // A stale marker is harmless: the next blocking fetch just comes back empty once.
    }
  }
}
