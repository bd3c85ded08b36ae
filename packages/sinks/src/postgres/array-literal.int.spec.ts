import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayLiteral } from './array-literal';

let t: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  t = await createTestDatabase('array_literal');
  client = new pg.Client({ connectionString: t.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end().catch(() => undefined);
  await t?.drop();
});

/** PostgreSQL text cannot hold NUL; anything else goes. */
const textArb = fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !s.includes('\u0000'));
/** Strings made of the characters the array parser treats specially, so they meet often. */
const trickyArb = fc.string({ unit: fc.constantFrom('{', '}', ',', '"', '\\', ' ', '\t', '\n', 'N', 'U', 'L', 'l', 'a'), maxLength: 8 });

describe('arrayLiteral through PostgreSQL', () => {
  it('reads back as the same text[] as pg encodes it, whatever the strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(textArb, trickyArb), { maxLength: 20 }), async (values) => {
        const r = await client.query<{ ours: string[]; same: boolean }>('select $1::text[] as ours, $1::text[] = $2::text[] as same', [arrayLiteral(values), values]);
        expect(r.rows[0]!.ours).toEqual(values);
        expect(r.rows[0]!.same).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the typed arrays of a projector write their exact values', async () => {
    const ids = [randomUUID(), randomUUID()];
    const r = await client.query<{ ids: string; amounts: string; versions: string; positions: string; times: string; none: string }>(
      `select $1::uuid[]::text as ids, $2::numeric[]::text as amounts, $3::int[]::text as versions,
              $4::bigint[]::text as positions, $5::timestamptz[] = array['2026-11-28T15:00:00.123Z'::timestamptz, '1999-12-31T23:59:59Z'::timestamptz] as times,
              $6::uuid[]::text as none`,
      [arrayLiteral(ids), arrayLiteral(['-12.50', '0.00', '123456789012345678.99']), arrayLiteral([1, 2147483647]), arrayLiteral([9007199254740993n, 1n]), arrayLiteral(['2026-11-28T15:00:00.123Z', '1999-12-31T23:59:59Z']), arrayLiteral([])],
    );
    expect(r.rows[0]).toEqual({ ids: `{${ids.join(',')}}`, amounts: '{-12.50,0.00,123456789012345678.99}', versions: '{1,2147483647}', positions: '{9007199254740993,1}', times: true, none: '{}' });
  });
});
