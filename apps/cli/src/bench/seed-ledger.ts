import type pg from 'pg';
import { generateLedger, type GeneratedEvent } from './ledger-generator';

/** Inserts a generated ledger straight into `events`, in chunks; returns the count. */
export async function seedLedger(pool: pg.Pool, options: { accounts: number; events: number; seed: number }, onProgress?: (done: number) => void): Promise<number> {
  let chunk: GeneratedEvent[] = [];
  let done = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    await pool.query(
      `insert into events (event_id, stream_id, version, type, data)
       select * from unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::jsonb[])`,
      [chunk.map((e) => e.eventId), chunk.map((e) => e.streamId), chunk.map((e) => e.version), chunk.map((e) => e.type), chunk.map((e) => e.data)],
    );
    done += chunk.length;
    chunk = [];
    onProgress?.(done);
  };
  for (const event of generateLedger(options)) {
    chunk.push(event);
    if (chunk.length >= 5000) await flush();
  }
  await flush();
  return done;
}
