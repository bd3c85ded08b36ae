import { hostname } from 'node:os';
import { createDb, type LedgerDatabase } from '@ledgerflow/sinks';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { PostgresCircuit } from '../circuit/postgres-circuit';
import { decideStep, liveMembers, memberAppName, retryDelayMs, shouldLogFailure, type FleetView, type ReapDecision, type StepDecision } from './fleet-rules';
import { deleteMember, deleteStaleMembers, readFleetView, terminateBackends, type MemberIdentity } from './fleet-store';
import { Heartbeat } from './heartbeat';
import { PartitionLease } from './partition-lease';
import { Ticker } from './ticker';
import { settleWithin } from './with-timeout';

/** Something consuming one owned partition; `stop()` finishes the batch in hand. */
export interface PartitionWorker {
  stop(): Promise<void>;
}

/** What a fleet member needs. */
export interface FleetMemberOptions {
  readonly memberId: string;
  readonly databaseUrl: string;
  /** P. */
  readonly partitions: number;
  readonly heartbeatMs: number;
  readonly memberTimeoutMs: number;
  readonly rebalanceMs: number;
  /** A fixed partition set instead of a fair share (see planPinned). */
  readonly pinned?: readonly number[];
  readonly logger: Logger;
  /** The process's PostgreSQL breaker: while open, steps only probe and the heartbeat skips. */
  readonly circuit: PostgresCircuit;
  /**
   * Starts consuming a partition just acquired, writing through `db` (its lock connection,
   * backend pid `lockPid`); `abandon` drops the partition and closes that connection (a
   * consumer stuck on it).
   */
  readonly startWorker: (partition: number, db: Kysely<LedgerDatabase>, abandon: (reason: Error) => void, lockPid: number) => Promise<PartitionWorker>;
  /** statement_timeout of the partition connections (see LeaseConnectOptions). */
  readonly statementTimeoutMs?: number;
  /** Whether the partition connections' commits wait for the WAL flush (see BatchWriteClientOptions). */
  readonly synchronousCommit?: boolean;
}

interface Owned {
  readonly lease: PartitionLease;
  readonly worker: PartitionWorker;
}

/** Longest pause between two attempts while PostgreSQL is unreachable. */
const MAX_BACKOFF_MS = 5000;
/** How long fencing waits for a terminated backend to exit (and free its locks). */
const TERMINATE_WAIT_MS = 2000;
/** How long dropping a lost partition waits for its connection to close. */
const CLOSE_WAIT_MS = 5000;
/** Shortest pause of the step loop while the circuit is open (a probe just came due). */
const MIN_PROBE_WAIT_MS = 10;

/**
 * One projector process in the fleet (DESIGN G6). It beats, and every `rebalanceMs` reads
 * the fleet from PostgreSQL, fences off stalled members, and releases or acquires partitions
 * towards its fair share. Decisions come from fleet-rules (pure); this class only sequences.
 */
export class FleetMember {
  readonly memberId: string;
  readonly #options: FleetMemberOptions;
  readonly #log: Logger;
  readonly #pool: pg.Pool;
  readonly #db: Kysely<LedgerDatabase>;
  readonly #heartbeat: Heartbeat;
  readonly #ticker: Ticker;
  readonly #owned = new Map<number, Owned>();
  readonly #closingPids = new Set<number>();
  readonly #drops = new Set<Promise<void>>();
  #state: 'running' | 'frozen' | 'stopping' = 'running';
  #failures = 0;
  #liveMembers = 1;
  #stopped: Promise<void> | undefined;

  constructor(options: FleetMemberOptions) {
    this.memberId = options.memberId;
    this.#options = options;
    this.#log = options.logger.child({ memberId: options.memberId });
    this.#pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 2,
      application_name: memberAppName(options.memberId),
      connectionTimeoutMillis: 5000,
      statement_timeout: 15_000,
    });
    this.#pool.on('error', (err) => this.#log.warn({ err }, 'idle PostgreSQL control connection failed'));
    // A connection lost while checked out emits 'error' on its client, which pg-pool only
    // listens to while the client is idle: unheard, it would crash the process. (The query in
    // flight fails as well, and the step or beat retries; idle losses are logged above.)
    this.#pool.on('connect', (client) => client.on('error', (err) => this.#log.debug({ err }, 'PostgreSQL control connection lost')));
    this.#db = createDb(this.#pool);
    const identity: MemberIdentity = { memberId: options.memberId, host: hostname(), osPid: process.pid };
    this.#heartbeat = new Heartbeat({ db: this.#db, circuit: options.circuit, identity, intervalMs: options.heartbeatMs, memberTimeoutMs: options.memberTimeoutMs, partitions: () => this.partitions(), logger: this.#log });
    this.#ticker = new Ticker(() => this.#step());
  }

  /** Beats once, takes a first step (so a lone member owns its partitions on return), then runs. */
  async start(): Promise<void> {
    await this.#heartbeat.beat();
    await this.#step();
    this.#heartbeat.start(this.#options.heartbeatMs);
    this.#ticker.start(this.#options.rebalanceMs);
  }

  /** The partitions owned right now, ascending. */
  partitions(): number[] {
    return [...this.#owned.keys()].sort((a, b) => a - b);
  }

  /** The Kysely instance writing an owned partition through its lock connection. */
  partitionDb(partition: number): Kysely<LedgerDatabase> | undefined {
    return this.#owned.get(partition)?.lease.db;
  }

  /** Live members of the fleet, this one included, as the last rebalancing step saw them. */
  liveMembers(): number {
    return this.#liveMembers;
  }

  /**
   * The control connection pool (heartbeat, rebalancing), for light reads such as readiness
   * probes and gauges. Closed by `stop()`.
   */
  get controlDb(): Kysely<LedgerDatabase> {
    return this.#db;
  }

  /**
   * Graceful stop: no more steps or beats, every partition drained (its batch in hand commits)
   * and unlocked, then the membership row deleted and the control pool closed. Idempotent.
   */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#state = 'stopping';
      await this.#ticker.stop();
      await this.#heartbeat.stop();
      // Release before leaving: a member without a row whose connections are old is a ghost
      // to the others, who would terminate the batches being drained.
      await Promise.all(this.partitions().map((p) => this.#release(p)));
      await Promise.all([...this.#drops]);
      await deleteMember(this.#db, this.memberId).catch((err: unknown) => this.#log.warn({ err }, 'could not delete the membership row; it will go stale'));
      await this.#db.destroy();
    })();
    return this.#stopped;
  }

  /**
   * Fault injection: behaves like a frozen process (SIGSTOP) — no beats, no steps, no
   * consumption — while keeping its lock connections and locks. `stop()` still cleans up.
   */
  async freeze(): Promise<void> {
    if (this.#state !== 'running') return;
    this.#state = 'frozen';
    await this.#ticker.stop();
    await this.#heartbeat.stop();
    await Promise.all([...this.#owned.values()].map((o) => o.worker.stop()));
  }

  /** One rebalancing step; never throws, returns the pause before the next one. */
  async #step(): Promise<number> {
    if (this.#state !== 'running') return this.#options.rebalanceMs;
    const { circuit } = this.#options;
    if (circuit.blocked()) {
      const wait = await this.#probe();
      if (wait !== undefined) return wait;
    }
    try {
      await this.#reconcile();
    } catch (err) {
      circuit.failed(err);
      this.#failures++;
      if (shouldLogFailure(this.#failures)) this.#log.warn({ err, failures: this.#failures }, 'partition rebalancing failed; retrying');
      return retryDelayMs(this.#failures, this.#options.rebalanceMs, Math.max(MAX_BACKOFF_MS, this.#options.rebalanceMs));
    }
    circuit.succeeded();
    if (this.#failures > 0) this.#log.info({ failures: this.#failures }, 'partition rebalancing works again');
    this.#failures = 0;
    return this.#options.rebalanceMs;
  }

  /**
   * While the circuit is open, the only thing this member sends PostgreSQL: one `select 1` on
   * the control pool per cool-down. Returns the pause before the next step, or undefined when
   * the server answered (the circuit is closed and the step goes on).
   */
  async #probe(): Promise<number | undefined> {
    const { circuit } = this.#options;
    if (!circuit.claimProbe()) return Math.max(MIN_PROBE_WAIT_MS, circuit.retryInMs());
    try {
      await sql`select 1`.execute(this.#db);
    } catch (err) {
      circuit.probeFailed(err);
      return Math.max(MIN_PROBE_WAIT_MS, circuit.retryInMs());
    }
    circuit.succeeded();
    return undefined;
  }

  async #reconcile(): Promise<void> {
    let decision = this.#decide(await readFleetView(this.#db));
    this.#dropLost(decision);
    if (decision.reap.pids.length > 0 || decision.reap.staleMembers.length > 0) {
      await this.#reap(decision.reap);
      decision = this.#decide(await readFleetView(this.#db));
      this.#dropLost(decision);
    }
    await Promise.all(decision.plan.release.map((p) => this.#release(p)));
    for (const p of decision.plan.tryAcquire) {
      if (this.#state !== 'running') return;
      await this.#tryAcquire(p);
    }
  }

  #decide(view: FleetView): StepDecision {
    const owned = new Map([...this.#owned].map(([p, o]) => [p, o.lease.pid]));
    const { partitions, memberTimeoutMs, pinned } = this.#options;
    const local = { me: this.memberId, owned, closingPids: this.#closingPids };
    this.#liveMembers = liveMembers(view, this.memberId, memberTimeoutMs).length;
    return decideStep(view, local, { partitions, memberTimeoutMs, pinned, mayReapOthers: this.#heartbeat.mayReapOthers() });
  }

  #dropLost(decision: StepDecision): void {
    for (const p of decision.lost) {
      const owned = this.#owned.get(p);
      if (owned) this.#drop(owned.lease, new Error(`the server shows no lock on partition ${p} for this connection`));
    }
  }

  /**
   * Fences off stalled members and stray connections, then forgets the stalled members. A
   * failure here (say, a role without the right to terminate others' backends) is logged and
   * the step goes on: the stalled member's partitions stay taken, everything else moves.
   */
  async #reap(reap: ReapDecision): Promise<void> {
    try {
      const terminated = await terminateBackends(this.#db, reap.pids, TERMINATE_WAIT_MS);
      const forgotten = await deleteStaleMembers(this.#db, reap.staleMembers, this.#options.memberTimeoutMs);
      this.#log.warn({ staleMembers: reap.staleMembers, pids: reap.pids, terminated, forgotten }, 'fenced off stalled fleet members');
    } catch (err) {
      this.#log.error({ err, staleMembers: reap.staleMembers, pids: reap.pids }, 'could not fence off stalled fleet members');
    }
  }

  async #tryAcquire(partition: number): Promise<void> {
    const lease = await PartitionLease.tryAcquire(partition, {
      databaseUrl: this.#options.databaseUrl,
      applicationName: memberAppName(this.memberId),
      onLost: (l, err) => this.#drop(l, err),
      ...(this.#options.statementTimeoutMs === undefined ? {} : { statementTimeoutMs: this.#options.statementTimeoutMs }),
      ...(this.#options.synchronousCommit === undefined ? {} : { synchronousCommit: this.#options.synchronousCommit }),
    });
    if (!lease) return;
    let worker: PartitionWorker;
    try {
      worker = await this.#options.startWorker(partition, lease.db, (reason) => this.#drop(lease, reason), lease.pid);
    } catch (err) {
      await lease.release();
      throw err;
    }
    if (lease.lost || this.#state !== 'running') {
      await worker.stop().catch(() => undefined);
      await lease.release();
      return;
    }
    this.#owned.set(partition, { lease, worker });
    this.#log.info({ partition, pid: lease.pid }, 'partition acquired');
  }

  /** Drains the partition's consumer (its batch in hand commits), then unlocks. */
  async #release(partition: number): Promise<void> {
    const owned = this.#owned.get(partition);
    if (!owned) return;
    await owned.worker.stop().catch((err: unknown) => this.#log.warn({ partition, err }, 'partition consumer did not stop cleanly'));
    await owned.lease.release();
    if (this.#owned.get(partition) === owned) this.#owned.delete(partition);
    this.#log.info({ partition }, 'partition released');
  }

  /**
   * The lock connection died or the lock is gone: forget the partition at once (someone else
   * may own it now), tell its consumer to stop, close the connection — so a batch in flight
   * fails instead of hanging — and wait for the consumer, which hands that batch's jobs back
   * to BullMQ for a retry.
   */
  #drop(lease: PartitionLease, err: unknown): void {
    const owned = this.#owned.get(lease.partition);
    if (!owned || owned.lease !== lease) return;
    this.#owned.delete(lease.partition);
    this.#closingPids.add(lease.pid);
    this.#log.warn({ partition: lease.partition, err }, 'lost the partition lock; dropping the partition');
    const done: Promise<void> = (async () => {
      // Tell the consumer to take no more jobs before its connection goes.
      const stopped = owned.worker.stop().catch((e: unknown) => this.#log.warn({ partition: lease.partition, err: e }, 'partition consumer did not stop cleanly'));
      await settleWithin(lease.close(), CLOSE_WAIT_MS);
      await stopped;
    })().finally(() => {
      this.#closingPids.delete(lease.pid);
      this.#drops.delete(done);
    });
    this.#drops.add(done);
  }
}
