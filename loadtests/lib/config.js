/**
 * Run settings from k6's environment (`k6 run -e NAME=value` or the process environment).
 * Read only here, so every knob of both scripts is listed in one place (see loadtests/README.md).
 */

/** The API under test, without a trailing slash. */
export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');

/** A bearer token with the `write` role (commands; it includes `read` for the queries). */
export const API_TOKEN = __ENV.API_TOKEN || '';

/** A whole-number setting, or `fallback` when unset; anything else stops the run at once. */
export function envInt(name, fallback) {
  const text = __ENV[name];
  if (text === undefined || text === '') return fallback;
  if (!/^[0-9]+$/.test(text)) throw new Error(`${name} must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** A text setting (a k6 duration such as `1m`, a time unit such as `1s`), or `fallback`. */
export function envText(name, fallback) {
  const text = __ENV[name];
  return text === undefined || text === '' ? fallback : text;
}

/**
 * Where handleSummary writes the JSON summary: SUMMARY_FILE, else `<SUMMARY_DIR>/<script>.summary.json`
 * (one directory for several scripts run by one CI step), else nowhere.
 */
export function summaryFile(script) {
  if (__ENV.SUMMARY_FILE) return __ENV.SUMMARY_FILE;
  if (__ENV.SUMMARY_DIR) return `${__ENV.SUMMARY_DIR.replace(/\/+$/, '')}/${script}.summary.json`;
  return undefined;
}
