import http from 'k6/http';
import { API_TOKEN, BASE_URL } from './config.js';
import { fillPath } from './paths.js';

/**
 * The only way the scripts talk to the API. Calls look like
 * `api('POST', '/accounts/:id/deposits', { id }, depositBody(random), options)` with the method
 * and the route template as string literals: the API's test suite reads them from the scripts'
 * syntax trees and checks each against the real route table, and each body builder against
 * the real validation.
 */

// A rule refusal (422: insufficient funds) or an exhausted optimistic retry (409) is the API
// answering correctly, not an HTTP failure: http_req_failed must count only the rest.
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 299 }, 409, 422));

/**
 * Sends one request. `options.kind` tags it (`command`, `query`, `poll`; thresholds are set per
 * kind), `options.expect` overrides the expected statuses for this request only (e.g. a poll
 * that may see 404 before the projector has caught up).
 */
export function api(method, pathTemplate, params, body, options = {}) {
  const headers = { Authorization: `Bearer ${API_TOKEN}` };
  if (body !== null) headers['Content-Type'] = 'application/json';
  const requestParams = {
    headers,
    // Group metrics by route template, not by URL: one series per route, not per account.
    tags: { name: `${method} ${pathTemplate}`, kind: options.kind || (method === 'GET' ? 'query' : 'command') },
  };
  if (options.expect) requestParams.responseCallback = http.expectedStatuses(...options.expect);
  return http.request(method, BASE_URL + fillPath(pathTemplate, params), body === null ? null : JSON.stringify(body), requestParams);
}

/** The response's JSON body, or undefined when it has none (a timeout, an HTML error page). */
export function jsonOf(response) {
  try {
    return response.json();
  } catch (_error) {
    return undefined;
  }
}
