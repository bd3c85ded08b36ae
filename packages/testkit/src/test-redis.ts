import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The local Redis every test talks to (each test file under its own key prefix). */
export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/** A Redis key prefix of its own for one test file, and a way to delete its keys. */
export function testRedisPrefix(label: string): { prefix: string; cleanup(): Promise<void> } {
  const prefix = `lftest-${label.replace(/[^a-z0-9]/gi, '-').toLowerCase().slice(0, 30)}-${randomBytes(4).toString('hex')}`;
  return { prefix, cleanup: () => deleteRedisKeys(prefix) };
}

/**
 * Deletes every key under `prefix` on the test Redis: for tests whose keys are named by the
 * code under test (say, `ledgerflow-<database>` of a demo run) rather than by testRedisPrefix.
 */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
