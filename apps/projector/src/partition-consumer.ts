import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { LedgerflowError, decodeBatch, isUuid, partitionQueueName, type StoredEvent } from '@ledgerflow/cdc-core';
import type { LedgerDatabase } from '@ledgerflow/sinks';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { guardMs, guardTransaction, type BatchTimeouts } from './batch-timeouts';
import { jitteredBackoffMs } from './circuit/breaker-rules';
import type { PostgresCircuit } from './circuit/postgres-circuit';
import { isRetryableError } from './classify-error';
import type { FailureHandler } from './fold-failures';
import { JobLockKeeper } from './lock-keeper';
import { withBatchSpan, type Tracer } from './observability/batch-span';
import type { ProjectorMetrics } from './observability/projector-metrics';
import { projectBatchOutcome, type BatchOutcome, type BeforeCommit } from './project-batch';
import type { ProjectorCounters } from './projector-stats';

/**
 * Lock period of a fetched job, renewed every half period while its batch is in hand, and
 * period of the stalled-job check. When a projector is killed its jobs' locks run out within
 * LOCK_MS, and the partition's next owner runs the check as soon as it takes over (member
 * timeout + one rebalancing step, ≤ 7 s by default) and every STALLED_INTERVAL_MS after. A
 * job is moved back once a check saw it active and a later one finds its lock gone, so the
 * jobs of a killed projector are waiting again about 9 s after the kill with the defaults,
 * inside the 10 s takeover budget. A job redelivered early is a no-op (G1): only delay matters.
 */
const LOCK_MS = 6000;
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
/** Pause after an unexpected error of the fetch loop itself, so a broken Redis is not hammered. */
const LOOP_ERROR_PAUSE_MS = 500;
/** How often a consumer looks again while the PostgreSQL circuit is open (no I/O: a timer). */
const CIRCUIT_WAIT_MS = 250;
/**
 * Jittered pause after a retryable rollback, growing with rollbacks in a row: its jobs wait out
 * their BullMQ backoff; the pause keeps the next jobs from burning attempts on the same trouble.
 */
const RETRY_PAUSE_BASE_MS = 100;
const RETRY_PAUSE_MAX_MS = 5000;

/** What one partition consumer needs. */
export interface PartitionConsumerOptions {
  readonly partition: number;
  /** Writes the partition: in the fleet, through the connection holding its advisory lock. */
  readonly db: Kysely<LedgerDatabase>;
  readonly redisUrl: string;
  readonly prefix: string;
  readonly maxBatchEvents: number;
  readonly flushMs: number;
  readonly logger: Logger;
  readonly onFailures: FailureHandler;
  readonly counters: ProjectorCounters;
  readonly metrics: ProjectorMetrics;
  /** Ends this ownership's gauges (ProjectorMetrics.acquired); called once stopped. */
  readonly releaseMetrics: () => void;
  /** Traces each transaction (`projector.batch`); none without. */
  readonly tracer?: Tracer;
  /** The process's PostgreSQL breaker: no jobs are taken while it is open. */
  readonly circuit: PostgresCircuit;
  readonly timeouts: BatchTimeouts;
  /** Drops the partition and closes its connection: a transaction got no answer within the guard. */
  readonly abandon: (reason: Error) => void;
  /** Fault-injection seam (see ProjectBatchOptions.beforeCommit). */
  readonly beforeCommit?: BeforeCommit;
}

interface TakenJob {
  readonly job: Job;
  readonly token: string;
  readonly events: readonly StoredEvent[];
}

/** Jobs taken for one transaction, with the keeper renewing their locks. */
interface Taken {
  readonly jobs: TakenJob[];
  readonly locks: JobLockKeeper;
}

/**
 * Consumes one partition queue with a BullMQ Worker in manual mode, one batch at a time (so
 * per-partition order is kept without BullMQ groups): take the jobs already waiting, up to
 * maxBatchEvents or flushMs after the first, project them in one transaction, then complete
 * them all — or hand them all back to BullMQ (attempts/backoff of the job) if it rolled back.
 */
export class PartitionConsumer {
  readonly partition: number;
  readonly #options: PartitionConsumerOptions;
  readonly #worker: Worker;
  readonly #log: Logger;
  #stopping = false;
  /** Retryable rollbacks in a row (the retry pause grows with them). */
  #rollbacks = 0;
  #running: Promise<void> = Promise.resolve();
  #stopped: Promise<void> | undefined;

  constructor(options: PartitionConsumerOptions) {
    this.partition = options.partition;
    this.#options = options;
    this.#log = options.logger.child({ partition: options.partition });
    this.#worker = new Worker(partitionQueueName(options.partition), null, {
      connection: { url: options.redisUrl, maxRetriesPerRequest: null },
      prefix: options.prefix,
      autorun: false,
      concurrency: 1,
      drainDelay: BLOCK_SECONDS,
      lockDuration: LOCK_MS,
      stalledInterval: STALLED_INTERVAL_MS,
      maxStalledCount: MAX_STALLED_COUNT,
    });
    this.#worker.on('error', (err) => this.#log.warn({ err }, 'queue worker error'));
  }

  /** Starts the stalled-job checker (manual mode does not) and the fetch loop. */
  async start(): Promise<void> {
    await this.#worker.startStalledCheckTimer();
    this.#running = this.#loop();
  }

  /** Finishes the batch in hand, takes no more jobs, closes the worker. Idempotent. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#stopping = true;
      await this.#running;
      await this.#worker.close();
      this.#options.releaseMetrics();
    })();
    return this.#stopped;
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      if (this.#options.circuit.blocked()) {
        // PostgreSQL is down: take no jobs (they would only burn their attempts) and open no
        // transactions; the fleet loop probes the server and closes the circuit.
        await pause(CIRCUIT_WAIT_MS);
        continue;
      }
      let taken: Taken | undefined;
      try {
        taken = await this.#takeJobs();
        this.#options.metrics.fetched(this.partition);
        if (taken.jobs.length > 0 && this.#options.circuit.blocked()) await this.#handBack(taken.jobs);
        else if (taken.jobs.length > 0) await this.#project(taken.jobs);
      } catch (err) {
        this.#options.metrics.fetchFailed(this.partition, err);
        this.#log.error({ err }, 'partition loop error; pausing before the next fetch');
        await pause(LOOP_ERROR_PAUSE_MS);
      } finally {
        taken?.locks.stop();
      }
    }
  }

  /** Blocks for a first job, then takes what is already waiting until size or time says flush. */
  async #takeJobs(): Promise<Taken> {
    const taken: Taken = { jobs: [], locks: new JobLockKeeper(this.#worker, LOCK_MS, this.#log) };
    let job = await this.#fetch(true);
    const deadline = Date.now() + this.#options.flushMs;
    let events = 0;
    while (job) {
      const read = await this.#read(job);
      if (read) {
        taken.jobs.push(read);
        taken.locks.add(job);
        events += read.events.length;
      }
      if (events >= this.#options.maxBatchEvents || Date.now() >= deadline || this.#stopping) break;
      // An empty queue flushes at once: waiting longer would only add latency, and under load
      // jobs pile up during the previous transaction, so batches grow by themselves.
      job = await this.#fetch(false).catch((err: unknown) => {
        // Project what is in hand rather than leave it to stall.
        this.#log.warn({ err }, 'could not take more jobs; flushing the batch in hand');
        return undefined;
      });
    }
    return taken;
  }

  async #fetch(block: boolean): Promise<Job | undefined> {
    return (await this.#worker.getNextJob(randomUUID(), { block })) ?? undefined;
  }

  /** Decodes a job; a payload that cannot be read fails at once, without retry. */
  async #read(job: Job): Promise<TakenJob | undefined> {
    const token = job.token ?? '';
    try {
      const batch = decodeBatch(job.data);
      // Ids end up in uuid casts; one bad id would roll back every batch this job joins.
      const badEvent = batch.events.findIndex((e) => !isUuid(e.streamId) || !isUuid(e.eventId) || !Number.isInteger(e.version) || e.version < 1);
      if (badEvent >= 0) throw new LedgerflowError('JOB_PAYLOAD_INVALID', `job payload event ${badEvent} has a malformed id or version`);
      if (batch.partition !== this.partition) {
        // Its checkpoint would move the wrong partition; the events stay in the event store.
        throw new LedgerflowError('JOB_PAYLOAD_INVALID', `job holds partition ${batch.partition}'s events but sits in queue ${this.#worker.name}`);
      }
      return { job, token, events: batch.events };
    } catch (err) {
      this.#options.counters.invalidJob();
      this.#log.error({ code: 'JOB_PAYLOAD_INVALID', jobId: job.id, err }, 'job payload cannot be read; failing it without retry');
      const reason = new UnrecoverableError(err instanceof Error ? err.message : String(err));
      await job.moveToFailed(reason, token, false).catch((e: unknown) => this.#log.warn({ jobId: job.id, err: e }, 'could not fail invalid job'));
      return undefined;
    }
  }

  async #project(taken: readonly TakenJob[]): Promise<void> {
    const events = taken.flatMap((t) => t.events);
    const { db, onFailures, counters, metrics, tracer, timeouts, beforeCommit, circuit } = this.#options;
    const span = { partition: this.partition, queueName: this.#worker.name, jobs: taken.map((t) => t.job), events };
    const started = performance.now();
    let outcome: BatchOutcome;
    try {
      const options = { onFailures, timeouts, ...(beforeCommit ? { beforeCommit } : {}) };
      outcome = await withBatchSpan(tracer, span, () => this.#guarded(projectBatchOutcome(db, this.partition, events, options)));
    } catch (err) {
      counters.rolledBack();
      metrics.rolledBack(this.partition, err);
      circuit.failed(err);
      await this.#rolledBack(taken, err, events.length);
      return;
    }
    circuit.succeeded();
    this.#rollbacks = 0;
    const durationSeconds = (performance.now() - started) / 1000;
    metrics.committed({ partition: this.partition, events: events.length, outcome, durationSeconds, committedAtMs: Date.now() });
    counters.committed(outcome.stats, taken.length, events.length);
    this.#log.debug({ ...outcome.stats, jobs: taken.length, events: events.length }, 'batch committed');
    await this.#settle(taken, (t) => t.job.moveToCompleted(null, t.token, false), 'complete');
  }

  /**
   * A retryable error hands every job back to BullMQ, which retries it per the job's attempts
   * and backoff. Any other error may come from one bad job (say, a payload that decodes but
   * holds an impossible value): jobs that shared the transaction then go again one by one, so
   * only the bad one burns its attempts.
   */
  async #rolledBack(taken: readonly TakenJob[], err: unknown, events: number): Promise<void> {
    const retryable = isRetryableError(err);
    if (!retryable && taken.length > 1) {
      this.#log.error({ err, jobs: taken.length, events }, 'batch rolled back; projecting its jobs one at a time');
      for (const t of taken) await this.#project([t]);
      return;
    }
    this.#log[retryable ? 'warn' : 'error']({ err, retryable, jobs: taken.length, events }, 'batch rolled back; handing its jobs back to BullMQ to retry');
    const reason = err instanceof Error ? err : new Error(String(err));
    await this.#settle(taken, (t) => t.job.moveToFailed(reason, t.token, false), 'fail');
    // Retrying cannot reorder an account's events, whatever runs first: see projectBatchOutcome.
    if (retryable) await pause(jitteredBackoffMs(++this.#rollbacks, RETRY_PAUSE_BASE_MS, RETRY_PAUSE_MAX_MS, Math.random()));
  }

  /**
   * The client-side guard of the time limits: the server cancels a slow statement or COMMIT
   * itself (batch-timeouts); a transaction with no answer long after that means a server or
   * network that stopped answering. Its connection is given up (closed by the fleet, which
   * rolls back whatever the server still holds, unless the COMMIT already went through, which
   * the version guard makes harmless), and the batch fails to be retried.
   */
  #guarded(transaction: Promise<BatchOutcome>): Promise<BatchOutcome> {
    return guardTransaction(transaction, guardMs(this.#options.timeouts), (err) => {
      this.#log.error({ err }, 'batch transaction got no answer within its time limits; giving the partition connection up');
      this.#options.abandon(err);
    });
  }

  /**
   * Jobs fetched while the circuit opened (a blocking fetch was under way) go back to the
   * queue as they are, without burning one of their attempts on a database known to be down.
   */
  async #handBack(taken: readonly TakenJob[]): Promise<void> {
    this.#log.info({ jobs: taken.length }, 'PostgreSQL circuit open; handing the jobs just taken back to the queue');
    await this.#settle(taken, (t) => t.job.moveToWait(t.token), 'hand back');
  }

  /**
   * Moves every job on. A job we cannot move (lock lost to the stalled checker, Redis gone)
   * will be delivered again, and the version guard makes that delivery a no-op.
   */
  async #settle(taken: readonly TakenJob[], move: (t: TakenJob) => Promise<unknown>, what: string): Promise<void> {
    const results = await Promise.allSettled(taken.map(move));
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.#log.warn({ jobId: taken[i]!.job.id, err: r.reason as unknown }, `could not ${what} job; it will be redelivered`);
    });
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

