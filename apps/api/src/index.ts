export { buildServer } from './server';
export type { ServerDeps } from './server';
export { loadApiConfig } from './config';
export type { ApiConfig } from './config';
export { API_ERRORS, ApiError, isApiError } from './errors';
export type { ApiErrorCode, ErrorBody } from './errors';
