export { TEST_PG_ADMIN_URL, createTestDatabase, databaseUrl, dropDatabase } from './test-database';
export type { TestDatabase } from './test-database';
export { TEST_REDIS_URL, deleteRedisKeys, testRedisPrefix } from './test-redis';
export { startRefusal } from './start-refusal';
export { waitFor } from './wait-for';
export { freePort, startPrivatePostgres, startPrivateRedis } from './private-servers';
export type { PrivatePostgres, PrivateRedis } from './private-servers';
