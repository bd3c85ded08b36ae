import { formatMoney, type AccountRow, type StoredEvent, type TransactionRow } from '@ledgerflow/cdc-core';
import { foldBatch } from '@ledgerflow/projections';
import pg from 'pg';

/** The sink ceiling: the read-model rows written straight into PostgreSQL. */
export interface CeilingResult {
  readonly events: number;
  readonly connections: number;
  readonly batchSize: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

interface Chunk {
  readonly accounts: AccountRow[];
  readonly transactions: TransactionRow[];
}

/**
 * Folds `events` (position order) in chunks of `batchSize` the way a projector batch would,
 * carrying each account's row from chunk to chunk. Pure; done before the clock starts.
 */
export function foldChunks(events: readonly StoredEvent[], batchSize: number): Chunk[] {
  const rows = new Map<string, AccountRow>();
  const chunks: Chunk[] = [];
  for (let i = 0; i < events.length; i += batchSize) {
    const byAccount = new Map<string, StoredEvent[]>();
    for (const e of events.slice(i, i + batchSize)) {
      const list = byAccount.get(e.streamId);
      if (list) list.push(e);
      else byAccount.set(e.streamId, [e]);
    }
    const folded = foldBatch(rows, byAccount);
    for (const row of folded.accounts) rows.set(row.accountId, row);
    chunks.push({ accounts: folded.accounts, transactions: folded.transactions });
  }
  return chunks;
}

/**
 * Writes the chunks with the best batched statements measured on this machine (unnest
 * upserts) on `connections` connections, no CDC, no Redis: the most PostgreSQL can take of
 * this workload. A chunk that lands after a later one for the same account loses to the
 * version guard, so the end state is the fold's whatever the interleaving.
 */
export async function runSinkCeiling(databaseUrl: string, events: readonly StoredEvent[], options: { connections: number; batchSize: number }): Promise<CeilingResult> {
  const chunks = foldChunks(events, options.batchSize);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.connections });
  try {
    await pool.query('truncate account_projections, transaction_projections');
    let next = 0;
    const startedAt = Date.now();
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        const client = await pool.connect();
        try {
          for (let i = next++; i < chunks.length; i = next++) await writeChunk(client, chunks[i]!);
        } finally {
          client.release();
        }
      }),
    );
    const seconds = (Date.now() - startedAt) / 1000;
    return { events: events.length, connections: options.connections, batchSize: options.batchSize, seconds, eventsPerSecond: events.length / seconds };
  } finally {
    await pool.end();
  }
}

async function writeChunk(client: pg.PoolClient, chunk: Chunk): Promise<void> {
  const accounts = [...chunk.accounts].sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
  const txs = chunk.transactions;
  await client.query('begin');
  await client.query(
    `insert into account_projections (account_id, owner_name, balance, status, version, last_position, created_at, updated_at)
     select * from unnest($1::uuid[], $2::text[], $3::numeric[], $4::text[], $5::int[], $6::bigint[], $7::timestamptz[], $8::timestamptz[])
     on conflict (account_id) do update set owner_name = excluded.owner_name, balance = excluded.balance, status = excluded.status,
       version = excluded.version, last_position = excluded.last_position, updated_at = excluded.updated_at
     where account_projections.version < excluded.version`,
    [
      accounts.map((a) => a.accountId), accounts.map((a) => a.ownerName), accounts.map((a) => formatMoney(a.balance)), accounts.map((a) => a.status),
      accounts.map((a) => a.version), accounts.map((a) => a.lastPosition.toString()), accounts.map((a) => a.createdAt), accounts.map((a) => a.updatedAt),
    ],
  );
  if (txs.length > 0) {
    await client.query(
      `insert into transaction_projections (transaction_id, account_id, type, amount, balance_after, position, occurred_at)
       select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::numeric[], $5::numeric[], $6::bigint[], $7::timestamptz[])`,
      [txs.map((t) => t.transactionId), txs.map((t) => t.accountId), txs.map((t) => t.type), txs.map((t) => formatMoney(t.amount)), txs.map((t) => formatMoney(t.balanceAfter)), txs.map((t) => t.position.toString()), txs.map((t) => t.occurredAt)],
    );
  }
  await client.query('commit');
}
