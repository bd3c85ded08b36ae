import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { partitionQueueName, type StoredEvent } from '@ledgerflow/cdc-core';
import type { LedgerDatabase } from '@ledgerflow/sinks';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { guardMs, guardTransaction, type BatchTimeouts } from './batch-timeouts';
import { BatchWorker, LOCK_MS } from './batch-worker';
import { jitteredBackoffMs } from './circuit/breaker-rules';
import type { PostgresCircuit } from './circuit/postgres-circuit';
import { isRetryableError } from './classify-error';
import type { FailureHandler } from './fold-failures';
import { readJobPayload } from './job-payload';
import { JobLockKeeper } from './lock-keeper';
import { withBatchSpan, type Tracer } from './observability/batch-span';
import type { ProjectorMetrics } from './observability/projector-metrics';
import { projectBatchOutcome, type BatchOutcome, type BeforeCommit } from './project-batch';
import type { WriteRounds } from './write-rounds';
import type { ProjectorCounters } from './projector-stats';

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
  /**
   * The process's write rounds and the pid of this partition's lock connection: batches then
   * share rounds with other partitions' (WriteRounds), and only go alone when they must.
   * Without, every batch writes through `db`.
   */
  readonly rounds?: { readonly writer: WriteRounds; readonly lockPid: number };
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

/** What the last batch left in hand: the next job, taken by its last completion (or none). */
type Carried = Job | undefined;

/**
 * Consumes one partition queue with a BullMQ Worker in manual mode, one batch at a time (so
 * per-partition order is kept without BullMQ groups): take the jobs already waiting, up to
 * maxBatchEvents or flushMs after the first, project them in one transaction, then complete
 * them all — or hand them all back to BullMQ (attempts/backoff of the job) if it rolled back.
 */
export class PartitionConsumer {
  readonly partition: number;
  readonly #options: PartitionConsumerOptions;
  readonly #worker: BatchWorker;
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
    this.#worker = new BatchWorker(partitionQueueName(options.partition), options.redisUrl, options.prefix);
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
    let carried: Carried;
    // A job carried over is projected even when stopping: it is active under our token.
    while (!this.#stopping || carried) {
      if (this.#options.circuit.blocked() && !carried) {
        // PostgreSQL is down: take no jobs (they would only burn their attempts) and open no
        // transactions; the fleet loop probes the server and closes the circuit.
        await pause(CIRCUIT_WAIT_MS);
        continue;
      }
      let taken: Taken | undefined;
      try {
        taken = await this.#takeJobs(carried);
        carried = undefined;
        this.#options.metrics.fetched(this.partition);
        if (taken.jobs.length > 0 && this.#options.circuit.blocked()) await this.#handBack(taken.jobs);
        else if (taken.jobs.length > 0) carried = await this.#project(taken.jobs, true);
      } catch (err) {
        carried = undefined; // #takeJobs took it into the batch, which is settled or will stall back
        this.#options.metrics.fetchFailed(this.partition, err);
        this.#log.error({ err }, 'partition loop error; pausing before the next fetch');
        await pause(LOOP_ERROR_PAUSE_MS);
      } finally {
        taken?.locks.stop();
      }
    }
  }

  /**
   * Starts a batch with the job carried over from the last one, or blocks for a first job.
   * Then takes what is already waiting until size or time says flush — but only when the first
   * job was carried over (the queue had a backlog when the last batch ended). A job that ended
   * a blocking wait found the queue empty a moment ago: asking again would almost always find
   * nothing and cost a round trip per job at low rates; jobs that do arrive meanwhile are
   * carried into the next batch by this one's completion.
   */
  async #takeJobs(carried: Carried): Promise<Taken> {
    const taken: Taken = { jobs: [], locks: new JobLockKeeper(this.#worker, LOCK_MS, this.#log) };
    let job = carried ?? (await this.#fetch(true));
    const deadline = Date.now() + this.#options.flushMs;
    let events = 0;
    while (job) {
      const read = await this.#read(job);
      if (read) {
        taken.jobs.push(read);
        taken.locks.add(job);
        events += read.events.length;
      }
      if (!carried || events >= this.#options.maxBatchEvents || Date.now() >= deadline || this.#stopping) break;
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
      return { job, token, events: readJobPayload(job.data, this.partition, this.#worker.name) };
    } catch (err) {
      this.#options.counters.invalidJob();
      this.#log.error({ code: 'JOB_PAYLOAD_INVALID', jobId: job.id, err }, 'job payload cannot be read; failing it without retry');
      const reason = new UnrecoverableError(err instanceof Error ? err.message : String(err));
      await job.moveToFailed(reason, token, false).catch((e: unknown) => this.#log.warn({ jobId: job.id, err: e }, 'could not fail invalid job'));
      return undefined;
    }
  }

  /**
   * Projects the batch and settles its jobs. After a commit, with `takeNext`, the last job's
   * completion also takes the queue's next job, which is returned to start the next batch.
   */
  async #project(taken: readonly TakenJob[], takeNext: boolean): Promise<Carried> {
    const events = taken.flatMap((t) => t.events);
    const { db, onFailures, counters, metrics, tracer, timeouts, beforeCommit, circuit, rounds } = this.#options;
    const span = { partition: this.partition, queueName: this.#worker.name, jobs: taken.map((t) => t.job), events };
    const started = performance.now();
    let outcome: BatchOutcome;
    try {
      const options = { onFailures, timeouts, ...(beforeCommit ? { beforeCommit } : {}) };
      const alone = () => projectBatchOutcome(db, this.partition, events, options);
      // The fault-injection seam needs the batch's own transaction.
      const project = rounds && !beforeCommit ? () => rounds.writer.project({ partition: this.partition, lockPid: rounds.lockPid, events, alone }) : alone;
      outcome = await withBatchSpan(tracer, span, () => this.#guarded(project()));
    } catch (err) {
      counters.rolledBack();
      metrics.rolledBack(this.partition, err);
      circuit.failed(err);
      await this.#rolledBack(taken, err, events.length);
      return undefined;
    }
    circuit.succeeded();
    this.#rollbacks = 0;
    const durationSeconds = (performance.now() - started) / 1000;
    metrics.committed({ partition: this.partition, events: events.length, outcome, durationSeconds, committedAtMs: Date.now() });
    counters.committed(outcome.stats, taken.length, events.length);
    this.#log.debug({ ...outcome.stats, jobs: taken.length, events: events.length }, 'batch committed');
    const last = takeNext && !this.#stopping ? taken[taken.length - 1] : undefined;
    const rest = last ? taken.slice(0, -1) : taken;
    // As in #settle, a job that cannot be completed is delivered again, a no-op (G1).
    const next = last && this.#worker.completeAndTakeNext(last.job, last.token).catch((err: unknown) => void this.#log.warn({ jobId: last.job.id, err }, 'could not complete job; it will be redelivered'));
    const [, carried] = await Promise.all([this.#settle(rest, (t) => t.job.moveToCompleted(null, t.token, false), 'complete'), next]);
    return carried ?? undefined;
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
      for (const t of taken) await this.#project([t], false);
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

