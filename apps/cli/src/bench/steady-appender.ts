import { partitionOf } from '@ledgerflow/cdc-core';
import type pg from 'pg';
import type { GeneratedEvent } from './ledger-generator';
import type { LagTracker } from './lag-tracker';

/**
 * Appends `events` at `rate` events/s for as long as they last: every `tickMs` one INSERT of
 * the events due by then (one transaction, as a busy write side commits many small ones).
 * Each event's commit time is when its INSERT returned. Returns the rate actually achieved.
 */
export async function appendAtRate(client: pg.ClientBase, events: Iterator<GeneratedEvent>, options: { rate: number; total: number; partitions: number; tracker: LagTracker; tickMs?: number }): Promise<number> {
  const tickMs = options.tickMs ?? 10;
  const startedAt = Date.now();
  let sent = 0;
  while (sent < options.total) {
    const due = Math.min(options.total, Math.floor(((Date.now() - startedAt) / 1000) * options.rate));
    if (due <= sent) {
      await new Promise((r) => setTimeout(r, tickMs));
      continue;
    }
    const chunk: GeneratedEvent[] = [];
    for (let next = events.next(); !next.done; next = events.next()) {
      chunk.push(next.value);
      if (chunk.length >= Math.min(due - sent, 5000)) break;
    }
    if (chunk.length === 0) break; // the generator ran dry
    const result = await client.query<{ p: string; s: string }>({
      // Named (parsed once per connection): the appender's cost is load on the machine being measured.
      name: 'lf_bench_append',
      text: `insert into events (event_id, stream_id, version, type, data)
       select * from unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::jsonb[]) returning global_position as p, stream_id as s`,
      values: [chunk.map((e) => e.eventId), chunk.map((e) => e.streamId), chunk.map((e) => e.version), chunk.map((e) => e.type), chunk.map((e) => e.data)],
    });
    const committedAt = Date.now();
    const rows = [...result.rows].sort((a, b) => Number(a.p) - Number(b.p));
    for (const row of rows) options.tracker.appended(partitionOf(row.s, options.partitions), Number(row.p), committedAt);
    sent += chunk.length;
  }
  return sent / ((Date.now() - startedAt) / 1000);
}
