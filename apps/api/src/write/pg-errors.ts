/** SQLSTATE classes the write path reacts to (PostgreSQL appendix A). */
const UNIQUE_VIOLATION = '23505';
const SERIALIZATION_FAILURE = '40001';
const DEADLOCK_DETECTED = '40P01';
/** Shutdown, crash and connection failures: the server, not the request, is at fault. */
const UNAVAILABLE = /^(08...|57P0[1-3]|53300)$/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

interface PgErrorLike {
  readonly code?: unknown;
  readonly table?: unknown;
  readonly constraint?: unknown;
}

function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as PgErrorLike).code;
  return typeof code === 'string' ? code : undefined;
}

/** True for a unique violation, optionally only on the given table. */
export function isUniqueViolation(error: unknown, table?: string): boolean {
  if (sqlState(error) !== UNIQUE_VIOLATION) return false;
  return table === undefined || (error as PgErrorLike).table === table;
}

/** True for a deadlock or serialization failure: retrying the whole transaction can succeed. */
export function isTransactionConflict(error: unknown): boolean {
  const code = sqlState(error);
  return code === SERIALIZATION_FAILURE || code === DEADLOCK_DETECTED;
}

/** True when PostgreSQL cannot be reached or is shutting down. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = sqlState(error);
  if (code !== undefined && (UNAVAILABLE.test(code) || NETWORK_CODES.has(code))) return true;
  return error instanceof Error && /Connection terminated|timeout exceeded when trying to connect/i.test(error.message);
}
