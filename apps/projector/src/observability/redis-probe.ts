import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * A connection of its own for readiness probes, so `/readyz` says whether Redis answers now,
 * whatever state the queue workers' connections are in. It reconnects by itself (ioredis
 * backoff, at most 2 s apart) once Redis is back.
 */
export class RedisProbe {
  readonly #redis: Redis;

  constructor(url: string, logger: Logger) {
    // No offline queue: a probe while disconnected fails at once instead of waiting for Redis.
    this.#redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: 'lf-projector-probe' });
    // Readiness reports the outage; without a listener ioredis would print every reconnect failure.
    this.#redis.on('error', (err) => logger.debug({ err }, 'readiness probe: Redis connection error'));
  }

  /** Resolves when Redis answers PING; rejects with the connection state otherwise. */
  async check(): Promise<void> {
    const status = this.#redis.status;
    if (status !== 'ready') throw new Error(`not connected (${status})`);
    await this.#redis.ping();
  }

  close(): void {
    this.#redis.disconnect();
  }
}
