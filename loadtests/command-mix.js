/**
 * Command mix: deposits, withdrawals, transfers and reads against the API at a fixed arrival
 * rate (constant-arrival-rate: the API's slowness shows as latency and dropped iterations,
 * not as a politely lower request rate).
 *
 *   k6 run -e API_TOKEN=<write token> -e RATE=200 -e DURATION=1m loadtests/command-mix.js
 *
 * Settings (all optional): BASE_URL, API_TOKEN (required), ACCOUNTS, RATE, TIME_UNIT, DURATION,
 * PRE_ALLOCATED_VUS, MAX_VUS, SETUP_TIMEOUT_MS, P95_MS, P99_MS, SUMMARY_FILE / SUMMARY_DIR.
 */
import { check } from 'k6';
import { depositBody, transferBody, withdrawalBody } from './lib/bodies.js';
import { envInt, envText, summaryFile } from './lib/config.js';
import { api, jsonOf } from './lib/http.js';
import { pickTwoDistinct, pickWeighted } from './lib/random.js';
import { openProjectedAccounts } from './lib/setup.js';
import { summaryOutputs } from './lib/summary.js';

const ACCOUNTS = envInt('ACCOUNTS', 200);
const SETUP_TIMEOUT_MS = envInt('SETUP_TIMEOUT_MS', 60000);

/** A retail-ish mix: reads are frequent, deposits outnumber withdrawals, transfers touch two accounts. */
const MIX = { deposit: 30, withdrawal: 15, transfer: 20, account: 25, transactions: 10 };

export const options = {
  setupTimeout: `${Math.ceil(SETUP_TIMEOUT_MS / 1000) + 60}s`,
  scenarios: {
    command_mix: {
      executor: 'constant-arrival-rate',
      rate: envInt('RATE', 100),
      timeUnit: envText('TIME_UNIT', '1s'),
      duration: envText('DURATION', '1m'),
      preAllocatedVUs: envInt('PRE_ALLOCATED_VUS', 20),
      maxVUs: envInt('MAX_VUS', 100),
    },
  },
  thresholds: {
    // 409/422 are expected (lib/http.js), so this counts 5xx, 4xx bugs and transport errors.
    http_req_failed: ['rate<0.01'],
    http_req_duration: [`p(95)<${envInt('P95_MS', 250)}`, `p(99)<${envInt('P99_MS', 750)}`],
    'http_req_duration{kind:command}': [`p(95)<${envInt('P95_MS', 250)}`],
    'http_req_duration{kind:query}': [`p(95)<${envInt('P95_MS', 250)}`],
    checks: ['rate>0.99'],
  },
  summaryTrendStats: ['avg', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

export function setup() {
  return { accountIds: openProjectedAccounts(ACCOUNTS, SETUP_TIMEOUT_MS) };
}

const accepted = (res) => res.status === 201 || res.status === 409 || res.status === 422;

/** Checks a command's answer: accepted with the new version, or refused by a domain rule. */
function checkCommand(res, versionField) {
  check(res, {
    'command: 201, or 409/422 refused by a rule': accepted,
    [`command: 201 answers ${versionField}`]: (r) => r.status !== 201 || Number.isInteger((jsonOf(r) || {})[versionField]),
  });
}

export default function (data) {
  const ids = data.accountIds;
  const [a, b] = pickTwoDistinct(Math.random, ids.length);
  switch (pickWeighted(Math.random, MIX)) {
    case 'deposit': {
      const res = api('POST', '/accounts/:id/deposits', { id: ids[a] }, depositBody(Math.random), { kind: 'command' });
      checkCommand(res, 'version');
      break;
    }
    case 'withdrawal': {
      const res = api('POST', '/accounts/:id/withdrawals', { id: ids[a] }, withdrawalBody(Math.random), { kind: 'command' });
      checkCommand(res, 'version');
      break;
    }
    case 'transfer': {
      const res = api('POST', '/transfers', {}, transferBody(Math.random, ids[a], ids[b]), { kind: 'command' });
      checkCommand(res, 'toVersion');
      break;
    }
    case 'account': {
      const res = api('GET', '/accounts/:id', { id: ids[a] }, null, { kind: 'query' });
      check(res, { 'query: 200 with a version': (r) => r.status === 200 && Number.isInteger((jsonOf(r) || {}).version) });
      break;
    }
    default: {
      const res = api('GET', '/accounts/:id/transactions?limit=20', { id: ids[a] }, null, { kind: 'query' });
      check(res, { 'query: 200 with items': (r) => r.status === 200 && Array.isArray((jsonOf(r) || {}).items) });
    }
  }
}

export function handleSummary(data) {
  return summaryOutputs(data, 'Ledgerflow command mix', summaryFile('command-mix'));
}
