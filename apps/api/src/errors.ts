/**
 * The API's error catalogue: every code a client can see, with its HTTP status. Codes are
 * stable and append-only (clients and dashboards branch on them, never on messages).
 */
export const API_ERRORS = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  ACCOUNT_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  /** Admin DLQ: the account is not parked (nothing to show or redrive). */
  ACCOUNT_NOT_PARKED: 404,
  /** Admin DLQ: no event with that id in the event store. */
  EVENT_NOT_FOUND: 404,
  ACCOUNT_EXISTS: 409,
  CONCURRENCY_CONFLICT: 409,
  /** Admin DLQ: a redrive stopped at an event that still cannot be applied; the body says which and why. */
  ACCOUNT_STILL_PARKED: 409,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INSUFFICIENT_FUNDS: 422,
  ACCOUNT_CLOSED: 422,
  SAME_ACCOUNT: 422,
  BALANCE_LIMIT_EXCEEDED: 422,
  /**
   * Admin DLQ: the event cannot be skipped; `reason` says why (ACCOUNT_NOT_PARKED,
   * ALREADY_APPLIED, OPENS_ACCOUNT). A rule refusal, hence 422 like INSUFFICIENT_FUNDS.
   */
  SKIP_REFUSED: 422,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** The JSON body of every error response. */
export interface ErrorBody {
  readonly error: {
    readonly code: ApiErrorCode;
    readonly message: string;
    /** The offending request field (`amount`, `cursor`, `fromAccountId` …), when there is one. */
    readonly field?: string;
    /** Why, within the code, as a stable upper-case word, for codes that have several causes (SKIP_REFUSED). */
    readonly reason?: string;
    /** Present (true) when the very same request may succeed if sent again. */
    readonly retryable?: true;
  };
}

/** An error the API answers with on purpose; its status follows from its code. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  readonly reason: string | undefined;
  readonly retryable: boolean;

  constructor(code: ApiErrorCode, message: string, options: { field?: string; reason?: string; retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = API_ERRORS[code];
    this.field = options.field;
    this.reason = options.reason;
    this.retryable = options.retryable ?? false;
  }

  /** The response body: `{ error: { code, message, field?, reason?, retryable? } }`. */
  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field === undefined ? {} : { field: this.field }),
        ...(this.reason === undefined ? {} : { reason: this.reason }),
        ...(this.retryable ? { retryable: true as const } : {}),
      },
    };
  }
}

/** True for an ApiError (by name too, so it survives duplicated module copies). */
export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError || (error instanceof Error && error.name === 'ApiError' && typeof (error as Partial<ApiError>).code === 'string');
}
