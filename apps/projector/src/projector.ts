import { randomUUID } from 'node:crypto';
import { registerGauges, type Readiness } from '@ledgerflow/metrics';
import type { LedgerDatabase } from '@ledgerflow/sinks';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import { PostgresCircuit, type CircuitSnapshot } from './circuit/postgres-circuit';
import type { ProjectorConfig } from './config';
import { agreeOnPartitions } from './partition-agreement';
import { FleetMember } from './fleet/fleet-member';
import { MAX_MEMBER_ID_LENGTH, PROJECTOR_LOCK_NAMESPACE, memberAppName } from './fleet/fleet-rules';
import { logFoldFailures, type FailureHandler } from './fold-failures';
import type { Tracer } from './observability/batch-span';
import { ProjectorMetrics } from './observability/projector-metrics';
import { projectorReadiness } from './observability/readiness';
import { RedisProbe } from './observability/redis-probe';
import { pollParkedAccounts, readCheckpoint } from './observability/status-reads';
import { PartitionConsumer } from './partition-consumer';
import type { BeforeCommit } from './project-batch';
import { ProjectorCounters, type ProjectorStats } from './projector-stats';
import { WriteRounds } from './write-rounds';
import { WriterConnection } from './writer-connection';

/** How the projector is started. */
export interface StartProjectorOptions {
  readonly logger: Logger;
  /**
   * Pins this process to these partitions instead of a fair share of 0 … P-1 (tests, manual
   * operation). It still joins the fleet and locks what it owns, so it never shares a
   * partition; but the elastic members count it in their fair share, so do not mix pinned and
   * elastic members in one fleet or some partitions may stay unowned.
   */
  readonly partitions?: readonly number[];
  /** Receives the events that cannot be applied; by default each is logged with its code. */
  readonly onFailures?: FailureHandler;
  /** The member id (at most 50 characters); a random UUID by default. */
  readonly memberId?: string;
  /**
   * Traces each batch transaction (`projector.batch`, linked to its events' traces); pass
   * `Telemetry.tracer`. No spans without. Metrics need nothing: they go to the global meter,
   * which records once the app started its SDK (startTelemetry) and is a no-op otherwise.
   */
  readonly tracer?: Tracer;
  /**
   * Fault injection for tests, never needed in production: runs inside every batch
   * transaction right before COMMIT (see ProjectBatchOptions.beforeCommit).
   */
  readonly beforeCommit?: BeforeCommit;
}

/** A running projector: one member of the fleet. */
export interface Projector {
  readonly memberId: string;
  /** The partitions it owns right now, ascending; they move as members join and leave. */
  partitions(): number[];
  /**
   * Stops taking partitions, drains every partition (batches in hand commit), unlocks them,
   * leaves the fleet and closes its connections. Idempotent.
   */
  stop(): Promise<void>;
  /** Running totals since start. */
  stats(): ProjectorStats;
  /**
   * What `/readyz` answers: ready when PostgreSQL and Redis answer and this member does its
   * share (owns a partition, or is a spare in a fleet with more members than partitions).
   */
  readiness(): Promise<Readiness>;
  /** Fault-injection seams for tests; never needed in production. */
  readonly testing: ProjectorTestHooks;
}

/** Fault-injection seams of a projector. */
export interface ProjectorTestHooks {
  /**
   * Behaves like a frozen process (SIGSTOP): no heartbeat, no rebalancing, no consumption,
   * while its partition locks and lock connections stay as they are.
   */
  freeze(): Promise<void>;
  /** The Kysely instance writing an owned partition (through its lock connection). */
  partitionDb(partition: number): Kysely<LedgerDatabase> | undefined;
  /** The PostgreSQL circuit breaker's state and counts. */
  circuit(): CircuitSnapshot;
}

/** Checks and sorts an explicit partition set, or returns 0 … P-1. */
export function resolvePartitions(total: number, chosen?: readonly number[]): number[] {
  if (chosen === undefined) return Array.from({ length: total }, (_, p) => p);
  for (const p of chosen) {
    if (!Number.isInteger(p) || p < 0 || p >= total) throw new RangeError(`partition ${p} is not one of 0…${total - 1}`);
  }
  return [...new Set(chosen)].sort((a, b) => a - b);
}

/**
 * Batches this big write alone, through their own partition connections, in parallel: what a
 * round saves (a read and a write per batch) is small next to such a batch, and a catch-up's
 * batches of thousands of events would otherwise queue for one writer (decision 010).
 */
const ROUND_ALONE_FROM_EVENTS = 500;

/** What every partition consumer of one projector shares. */
interface ConsumerContext {
  readonly config: ProjectorConfig;
  readonly logger: Logger;
  readonly onFailures: FailureHandler;
  readonly counters: ProjectorCounters;
  readonly metrics: ProjectorMetrics;
  readonly tracer: Tracer | undefined;
  readonly circuit: PostgresCircuit;
  readonly beforeCommit: BeforeCommit | undefined;
  /** Write rounds, index = partition mod their count; none: each partition writes alone. */
  readonly rounds: readonly WriteRounds[];
}

/** Starts the queue consumer of a partition just acquired, writing through its lock connection. */
function consumerFactory({ config, logger, onFailures, counters, metrics, tracer, circuit, beforeCommit, rounds }: ConsumerContext) {
  return async (partition: number, db: Kysely<LedgerDatabase>, abandon: (reason: Error) => void, lockPid: number): Promise<PartitionConsumer> => {
    const writer = rounds.length > 0 ? rounds[partition % rounds.length] : undefined;
    // Where the previous owner left the checkpoint: the checkpointed rung before any batch of ours.
    const releaseMetrics = metrics.acquired(partition, await readCheckpoint(db, partition));
    const consumer = new PartitionConsumer({
      partition,
      db,
      redisUrl: config.redisUrl,
      prefix: config.redisPrefix,
      maxBatchEvents: config.maxBatchEvents,
      flushMs: config.flushMs,
      logger,
      onFailures,
      counters,
      metrics,
      releaseMetrics,
      circuit,
      timeouts: { batchMs: config.batchTimeoutMs, commitMs: config.commitTimeoutMs },
      abandon,
      ...(tracer ? { tracer } : {}),
      ...(beforeCommit ? { beforeCommit } : {}),
      ...(writer ? { rounds: { writer, lockPid } } : {}),
    });
    try {
      await consumer.start();
    } catch (err) {
      releaseMetrics();
      throw err;
    }
    return consumer;
  };
}

/**
 * The member's readiness: PostgreSQL through its control pool (or, while the circuit is open,
 * `circuit open (retry in N s)` without touching it), Redis through the probe, and its share
 * of partitions.
 */
function readinessOf(member: FleetMember, circuit: PostgresCircuit, redis: RedisProbe, partitions: number): Promise<Readiness> {
  return projectorReadiness({
    postgres: async () => {
      const open = circuit.reason();
      if (open !== undefined) throw new Error(open);
      await sql`select 1`.execute(member.controlDb);
    },
    redis: () => redis.check(),
    duty: () => ({ owned: member.partitions().length, members: member.liveMembers(), partitions }),
  });
}

/**
 * Joins the projector fleet: owns a fair share of the P partitions (each under a PostgreSQL
 * advisory lock held on the connection that writes it), consumes each owned partition queue
 * with one consumer (concurrency 1, so each partition is one ordered stream of transactions),
 * and moves partitions as members join, leave, die or stall (DESIGN G6).
 *
 * @example
 * const projector = await startProjector(loadProjectorConfig(), { logger: pino() });
 * process.once('SIGTERM', () => void projector.stop());
 */
export async function startProjector(configured: ProjectorConfig, options: StartProjectorOptions): Promise<Projector> {
  const { logger } = options;
  // Before anything is sized by it: a member with another count than the database's would lease and read the wrong queues (decision 017).
  const config = await agreeOnPartitions(configured);
  const memberId = options.memberId ?? randomUUID();
  if (memberId.length === 0 || memberId.length > MAX_MEMBER_ID_LENGTH) throw new RangeError(`memberId must have 1…${MAX_MEMBER_ID_LENGTH} characters`);
  const pinned = options.partitions === undefined ? undefined : resolvePartitions(config.partitions, options.partitions);
  const counters = new ProjectorCounters();
  const metrics = new ProjectorMetrics();
  const onFailures = options.onFailures ?? logFoldFailures(logger);
  const circuit = new PostgresCircuit(config.breaker, { logger });
  const writers = Array.from({ length: config.writers }, () => new WriterConnection({ databaseUrl: config.databaseUrl, applicationName: memberAppName(memberId), statementTimeoutMs: config.batchTimeoutMs, synchronousCommit: config.synchronousCommit, logger }));
  const timeouts = { batchMs: config.batchTimeoutMs, commitMs: config.commitTimeoutMs };
  const rounds = writers.map((writer) => new WriteRounds({ writer, lockNamespace: PROJECTOR_LOCK_NAMESPACE, timeouts, maxRoundEvents: config.maxBatchEvents, aloneFromEvents: ROUND_ALONE_FROM_EVENTS, logger }));
  const member = new FleetMember({
    memberId,
    databaseUrl: config.databaseUrl,
    partitions: config.partitions,
    heartbeatMs: config.heartbeatMs,
    memberTimeoutMs: config.memberTimeoutMs,
    rebalanceMs: config.rebalanceMs,
    pinned,
    logger,
    circuit,
    // The batch limit also bounds each statement a batch runs outside a transaction.
    statementTimeoutMs: config.batchTimeoutMs,
    synchronousCommit: config.synchronousCommit,
    startWorker: consumerFactory({ config, logger, onFailures, counters, metrics, tracer: options.tracer, circuit, beforeCommit: options.beforeCommit, rounds }),
  });
  const unregisterGauges = registerGauges(metrics.gaugeSources());
  const redis = new RedisProbe(config.redisUrl, logger);
  const parkedPoller = pollParkedAccounts(member.controlDb, metrics, logger, { blocked: () => circuit.blocked() });
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await parkedPoller.stop();
      await member.stop();
      await Promise.all(writers.map((w) => w.close()));
      unregisterGauges();
      redis.close();
      logger.info({ memberId, stats: counters.snapshot() }, 'projector stopped');
    })());
  try {
    await member.start();
  } catch (err) {
    await stop();
    throw err;
  }
  const { heartbeatMs, memberTimeoutMs, rebalanceMs } = config;
  logger.info({ memberId, partitions: member.partitions(), pinned, prefix: config.redisPrefix, heartbeatMs, memberTimeoutMs, rebalanceMs }, 'projector joined the fleet');
  return {
    memberId,
    partitions: () => member.partitions(),
    stop,
    stats: () => counters.snapshot(),
    readiness: () => readinessOf(member, circuit, redis, config.partitions),
    testing: { freeze: () => member.freeze(), partitionDb: (p) => member.partitionDb(p), circuit: () => circuit.snapshot() },
  };
}
