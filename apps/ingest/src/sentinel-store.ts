import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { sentinelKey } from './sentinel';

/** Reads and compare-and-sets the sentinel key. */
export interface SentinelStore {
  get(): Promise<string | null>;
  /** Sets the key to `next` only if it currently holds `expected` (null: only if absent). */
  compareAndSet(expected: string | null, next: string): Promise<boolean>;
  close(): Promise<void>;
}

// One round trip, atomic: the check and the write cannot be split by a FLUSHALL.
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
local matches = (ARGV[1] == '0' and current == false) or (ARGV[1] == '1' and current == ARGV[2])
if matches then
  redis.call('SET', KEYS[1], ARGV[3])
  return 1
end
return 0`;

/**
 * Opens the sentinel store on a connection of its own, tuned to fail fast: the guard polls
 * every second and must learn "Redis unreachable" quickly instead of waiting in ioredis's
 * offline queue like the producer does. Unanswered commands are not resent after a reconnect:
 * a stale write must never land in a Redis that restarted empty (the compare-and-set would
 * reject it anyway; this keeps the reasoning local).
 */
export function openSentinelStore(options: { redisUrl: string; redisPrefix: string; logger: Logger }): SentinelStore {
  const key = sentinelKey(options.redisPrefix);
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, autoResendUnfulfilledCommands: false, commandTimeout: 2000 });
  redis.on('error', (error) => options.logger.debug({ err: error }, 'sentinel connection error'));
  return {
    get: () => redis.get(key),
    async compareAndSet(expected, next) {
      const result = await redis.eval(COMPARE_AND_SET, 1, key, expected === null ? '0' : '1', expected ?? '', next);
      return result === 1;
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
