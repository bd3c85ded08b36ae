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
  ACCOUNT_EXISTS: 409,
  CONCURRENCY_CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INSUFFICIENT_FUNDS: 422,
  ACCOUNT_CLOSED: 422,
  SAME_ACCOUNT: 422,
  BALANCE_LIMIT_EXCEEDED: 422,
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
    /** Present (true) when the very same request may succeed if sent again. */
    readonly retryable?: true;
  };
}

/** An error the API answers with on purpose; its status follows from its code. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  readonly retryable: boolean;

  constructor(code: ApiErrorCode, message: string, options: { field?: string; retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = API_ERRORS[code];
    this.field = options.field;
    this.retryable = options.retryable ?? false;
  }

  /** The response body: `{ error: { code, message, field?, retryable? } }`. */
  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field === undefined ? {} : { field: this.field }),
        ...(this.retryable ? { retryable: true as const } : {}),
      },
    };
  }
}

/** True for an ApiError (by name too, so it survives duplicated module copies). */
export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError || (error instanceof Error && error.name === 'ApiError' && typeof (error as Partial<ApiError>).code === 'string');
}
