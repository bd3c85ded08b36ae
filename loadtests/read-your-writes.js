/**
 * Read-your-writes freshness: deposit, then poll GET /accounts/:id until the read model shows
 * a version at least the one the command answered with. `freshness_ms` is the time from the
 * command's answer (the commit is acknowledged) to the first read that reflects it, i.e. the
 * whole CDC → ingest → BullMQ → projector path as a client sees it, quantised by POLL_MS.
 *
 *   k6 run -e API_TOKEN=<write token> -e RYW_RATE=20 loadtests/read-your-writes.js
 *
 * Settings (all optional): BASE_URL, API_TOKEN (required), ACCOUNTS, RYW_RATE, TIME_UNIT,
 * DURATION, PRE_ALLOCATED_VUS, MAX_VUS, POLL_MS, FRESHNESS_TIMEOUT_MS, FRESHNESS_P95_MS,
 * FRESHNESS_P99_MS, SETUP_TIMEOUT_MS, SUMMARY_FILE / SUMMARY_DIR.
 */
import { check, sleep } from 'k6';
import { Rate, Trend } from 'k6/metrics';
import { depositBody } from './lib/bodies.js';
import { envInt, envText, summaryFile } from './lib/config.js';
import { api, jsonOf } from './lib/http.js';
import { openProjectedAccounts } from './lib/setup.js';
import { summaryOutputs } from './lib/summary.js';

const ACCOUNTS = envInt('ACCOUNTS', 200);
const SETUP_TIMEOUT_MS = envInt('SETUP_TIMEOUT_MS', 60000);
const POLL_MS = envInt('POLL_MS', 10);
const FRESHNESS_TIMEOUT_MS = envInt('FRESHNESS_TIMEOUT_MS', 5000);

/** Command answered → read model caught up, per deposit that was seen in time. */
const freshness = new Trend('freshness_ms', true);
/** Share of deposits the read model did not show within FRESHNESS_TIMEOUT_MS. */
const freshnessTimeouts = new Rate('freshness_timeouts');

export const options = {
  setupTimeout: `${Math.ceil(SETUP_TIMEOUT_MS / 1000) + 60}s`,
  scenarios: {
    read_your_writes: {
      executor: 'constant-arrival-rate',
      rate: envInt('RYW_RATE', 20),
      timeUnit: envText('TIME_UNIT', '1s'),
      duration: envText('DURATION', '1m'),
      // Each iteration waits for the projection, so it needs more VUs than its rate suggests.
      preAllocatedVUs: envInt('PRE_ALLOCATED_VUS', 20),
      maxVUs: envInt('MAX_VUS', 200),
    },
  },
  thresholds: {
    freshness_ms: [`p(95)<${envInt('FRESHNESS_P95_MS', 500)}`, `p(99)<${envInt('FRESHNESS_P99_MS', 1500)}`],
    freshness_timeouts: ['rate<0.01'],
    // Polls may see 404 before the first projection (expected per request, see below).
    http_req_failed: ['rate<0.01'],
    'http_req_duration{kind:command}': [`p(95)<${envInt('P95_MS', 250)}`],
    checks: ['rate>0.99'],
  },
  summaryTrendStats: ['avg', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

export function setup() {
  return { accountIds: openProjectedAccounts(ACCOUNTS, SETUP_TIMEOUT_MS) };
}

/** Polls the read model until it shows `version`; the elapsed ms, or undefined on timeout. */
function awaitVersion(id, version, since) {
  const deadline = since + FRESHNESS_TIMEOUT_MS;
  for (;;) {
    const res = api('GET', '/accounts/:id', { id }, null, { kind: 'poll', expect: [200, 404] });
    const seen = res.status === 200 ? (jsonOf(res) || {}).version : undefined;
    const now = Date.now();
    if (Number.isInteger(seen) && seen >= version) return now - since;
    if (now >= deadline) return undefined;
    sleep(POLL_MS / 1000);
  }
}

export default function (data) {
  const id = data.accountIds[Math.floor(Math.random() * data.accountIds.length)];
  const res = api('POST', '/accounts/:id/deposits', { id }, depositBody(Math.random), { kind: 'command' });
  const version = (jsonOf(res) || {}).version;
  const ok = check(res, { 'deposit: 201 with the new version': (r) => r.status === 201 && Number.isInteger(version) });
  if (!ok) return;
  const elapsed = awaitVersion(id, version, Date.now());
  freshnessTimeouts.add(elapsed === undefined);
  if (elapsed !== undefined) freshness.add(elapsed);
}

export function handleSummary(data) {
  return summaryOutputs(data, 'Ledgerflow read-your-writes freshness', summaryFile('read-your-writes'));
}
