import { checkReadiness, type Readiness } from '@ledgerflow/metrics';
import type { Redis } from 'ioredis';
import type pg from 'pg';

/** The slot as `pg_replication_slots` shows it. */
export interface SlotState {
  readonly exists: boolean;
  /** A consumer (a walsender) is attached. */
  readonly active: boolean;
}

/**
 * Why ingest's replication is not working, or undefined when it is: a session must be
 * streaming (ingest's own view) and, when PostgreSQL could be asked (`slot` known), the slot
 * must exist with a consumer attached (the server's view: it notices a dead connection before
 * our socket does). Pure.
 */
export function replicationProblem(slotName: string, streaming: boolean, lastFailure: string | undefined, slot: SlotState | undefined): string | undefined {
  if (!streaming) return lastFailure === undefined ? 'no session is streaming yet (starting: slot check, catch-up)' : `no session is streaming (last failure: ${lastFailure})`;
  if (slot && !slot.exists) return `slot ${slotName} does not exist`;
  if (slot && !slot.active) return `no consumer is attached to slot ${slotName}`;
  return undefined;
}

/** What the readiness check asks. */
export interface IngestReadinessDeps {
  /** A pool of its own (never queued behind catch-up or refill pages). */
  readonly pool: pg.Pool;
  /** A Redis connection of its own, failing fast (no offline queue). */
  readonly redis: Redis;
  readonly slotName: string;
  /** Whether a session streams, and the last failure (IngestMetrics). */
  readonly session: { readonly streaming: boolean; readonly lastFailure: string | undefined };
  /** Longest each check may take. */
  readonly timeoutMs: number;
}

/**
 * `/readyz` of ingest: ready when PostgreSQL answers, Redis answers and the slot streams;
 * otherwise not ready with one reason per failing check (`postgres: …`, `redis: …`,
 * `replication: …`).
 */
export function ingestReadiness(deps: IngestReadinessDeps): () => Promise<Readiness> {
  const { pool, redis, slotName, session, timeoutMs } = deps;
  return async () => {
    const slot: Promise<SlotState> = pool
      .query<{ active: boolean }>('select active from pg_replication_slots where slot_name = $1', [slotName])
      .then(({ rows }) => ({ exists: rows.length > 0, active: rows[0]?.active === true }));
    const slotIfKnown = slot.catch(() => undefined); // PostgreSQL's failure is the postgres check's reason
    return checkReadiness(
      {
        postgres: () => slot,
        redis: async () => {
          // Without an offline queue a command fails at once while disconnected; say so plainly.
          if (redis.status !== 'ready') throw new Error(`not connected (${redis.status})`);
          await redis.ping();
        },
        replication: async () => {
          const problem = replicationProblem(slotName, session.streaming, session.lastFailure, await slotIfKnown);
          if (problem !== undefined) throw new Error(problem);
        },
      },
      timeoutMs,
    );
  };
}
