/**
 * Stable error codes. Append only: a code, once published, is never reused or renamed, because
 * operators alert on them and the dead-letter store keeps them.
 */
export const ERROR_CODES = [
  'MONEY_INVALID',
  'CDC_DECODE_FAILED',
  'EVENT_DATA_INVALID',
  'EVENT_TYPE_UNKNOWN',
  'EVENT_RULE_VIOLATION',
  'EVENT_VERSION_GAP',
  'JOB_PAYLOAD_INVALID',
  'CONCURRENCY_CONFLICT',
  'STALE_WRITE',
  'TRANSIENT_FAILURE',
  'CONFIG_INVALID',
  /** A dead-letter operation (redrive, skip) named an account that is not parked. */
  'ACCOUNT_NOT_PARKED',
  /** `skip` refused: the event is unknown, already applied, or opens its account. */
  'SKIP_REFUSED',
  /** A write covering a partition whose lock its lock connection no longer holds (fenced off). */
  'PARTITION_LOCK_LOST',
  /** A process configured with another partition count than the one its database records. */
  'PARTITION_COUNT_MISMATCH',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Base of every error Ledgerflow throws on purpose. `code` is stable and machine-readable;
 * `retryable` tells the caller whether the same input could succeed later.
 */
export class LedgerflowError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: { retryable?: boolean; cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LedgerflowError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }
}

/**
 * True when `error` is a LedgerflowError (optionally with the given code). Checks the name and
 * code rather than relying on `instanceof` alone, which fails across duplicated package copies.
 */
export function isLedgerflowError(error: unknown, code?: ErrorCode): error is LedgerflowError {
  if (!(error instanceof Error)) return false;
  const candidate = error as Partial<LedgerflowError>;
  if (error.name !== 'LedgerflowError' || typeof candidate.code !== 'string') return false;
  return code === undefined || candidate.code === code;
}

/** An event that can never be applied as it is: retrying cannot help (G5). */
export function poison(code: ErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown): LedgerflowError {
  return new LedgerflowError(code, message, { retryable: false, details, cause });
}
