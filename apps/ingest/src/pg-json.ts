import pg from 'pg';

const JSON_OID = 114;
const JSONB_OID = 3802;

/**
 * Makes node-postgres (and so pg-logical-replication, which takes its column parsers from
 * `pg.types`) hand json and jsonb over as text. Ingest only routes events, so parsing every
 * payload only to serialise it again for the job would be wasted work. Process-wide: call it
 * from a composition root only.
 */
export function useRawJsonParsers(): void {
  const identity = (value: string) => value;
  pg.types.setTypeParser(JSON_OID, identity);
  pg.types.setTypeParser(JSONB_OID, identity);
}
