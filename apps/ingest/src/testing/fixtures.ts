import { randomBytes, randomUUID } from 'node:crypto';
import { decodeBatch, partitionQueueName, type StoredEvent } from '@ledgerflow/cdc-core';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type pg from 'pg';
import pino from 'pino';
import { loadIngestConfig, type IngestConfig } from '../config';
import { sentinelKey } from '../sentinel';

/** Test-only helpers for the ingest integration tests. */

/** A silent-unless-broken logger for tests. */
export const testLogger = pino({ level: 'error' });

/** An ingest configuration against a test database and Redis prefix. */
export function testIngestConfig(databaseUrl: string, redisUrl: string, prefix: string, env: Record<string, string> = {}): IngestConfig {
  return loadIngestConfig({ DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, LEDGERFLOW_REDIS_PREFIX: prefix, LEDGERFLOW_PARTITIONS: '4', ...env });
}

interface NewEvent {
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** Produces valid ledger events for a fixed set of accounts, tracking each one's version. */
export class EventFactory {
  readonly streams: string[];
  readonly #versions = new Map<string, number>();

  constructor(streamCount: number) {
    this.streams = Array.from({ length: streamCount }, () => randomUUID());
  }

  /** The next event of `streamId`: AccountCreated first, then deposits. */
  next(streamId: string): NewEvent {
    const version = (this.#versions.get(streamId) ?? 0) + 1;
    this.#versions.set(streamId, version);
    if (version === 1) return { streamId, version, type: 'AccountCreated', data: { accountId: streamId, ownerName: `owner ${version}`, initialBalance: '100.00' } };
    return { streamId, version, type: 'MoneyDeposited', data: { accountId: streamId, amount: '10.00', transactionId: randomUUID() } };
  }

  /** `count` events over random accounts. */
  batch(count: number): NewEvent[] {
    return Array.from({ length: count }, () => this.next(this.streams[Math.floor(Math.random() * this.streams.length)]!));
  }
}

/**
 * Inserts events in one transaction with plain SQL, as the write side does; `metadata` goes on
 * every event (the API writes one command's trace context into all its events).
 */
export async function insertEvents(pool: pg.Pool, events: readonly NewEvent[], metadata: Record<string, unknown> = {}): Promise<void> {
  if (events.length === 0) return;
  const values: unknown[] = [];
  const rows = events.map((e, i) => {
    values.push(randomUUID(), e.streamId, e.version, e.type, JSON.stringify(e.data), JSON.stringify(metadata));
    const b = i * 6;
    return `($${b + 1}::uuid, $${b + 2}::uuid, $${b + 3}::int, $${b + 4}, $${b + 5}::jsonb, $${b + 6}::jsonb)`;
  });
  await pool.query(`insert into events (event_id, stream_id, version, type, data, metadata) values ${rows.join(', ')}`, values);
}

/** A random valid W3C traceparent (sampled), as the API writes into event metadata. */
export function randomTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

/** The event ids and count of the event store. */
export async function storedEventIds(pool: pg.Pool): Promise<Set<string>> {
  const { rows } = await pool.query<{ event_id: string }>('select event_id from events');
  return new Set(rows.map((r) => r.event_id));
}

/** One job as read back from a partition queue. */
export interface ReadJob {
  readonly id: string;
  readonly queue: number;
  readonly partition: number;
  readonly events: StoredEvent[];
}

/** Every waiting job of every partition queue, each queue in processing order. */
export async function readJobs(redisUrl: string, prefix: string, partitions: number): Promise<ReadJob[][]> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const out: ReadJob[][] = [];
    for (let p = 0; p < partitions; p++) {
      const queue = new Queue(partitionQueueName(p), { connection: redis, prefix });
      const jobs = await queue.getWaiting(0, -1);
      out.push(jobs.map((job) => ({ id: job.id ?? '', queue: p, ...decodeBatch(job.data) })));
      await queue.close();
    }
    return out;
  } finally {
    redis.disconnect();
  }
}

/** The slot's confirmed position and whether a consumer holds it. */
export async function slotState(pool: pg.Pool, slotName: string): Promise<{ confirmedFlush: string; active: boolean } | undefined> {
  const { rows } = await pool.query<{ confirmed_flush_lsn: string; active: boolean }>(
    'select confirmed_flush_lsn::text, active from pg_replication_slots where slot_name = $1',
    [slotName],
  );
  const row = rows[0];
  return row ? { confirmedFlush: row.confirmed_flush_lsn, active: row.active } : undefined;
}

/**
 * Writes an intact Redis sentinel under `prefix`, as a previous ingest would have: the next
 * ingest then trusts Redis instead of refilling it (tests of the slot's own replay use it).
 */
export async function markRedisIntact(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    await redis.set(sentinelKey(prefix), 'set-by-test');
  } finally {
    redis.disconnect();
  }
}
