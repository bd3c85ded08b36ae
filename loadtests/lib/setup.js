import { sleep } from 'k6';
import { API_TOKEN } from './config.js';
import { openAccountBody } from './bodies.js';
import { api, jsonOf } from './http.js';

/**
 * Opens `count` accounts and waits until the projector has written every one of them, so the
 * workload's reads can insist on 200 (a 404 then means a lost projection, not a slow start).
 * Runs in setup(): any failure throws, which aborts the run before the measured scenario.
 */
export function openProjectedAccounts(count, timeoutMs) {
  if (!API_TOKEN) throw new Error('API_TOKEN is not set: pass a token with the write role (-e API_TOKEN=…)');
  if (count < 2) throw new Error('ACCOUNTS must be at least 2 (transfers need two accounts)');
  const ids = [];
  for (let i = 0; i < count; i += 1) {
    const res = api('POST', '/accounts', {}, openAccountBody(Math.random), { kind: 'setup' });
    const body = jsonOf(res);
    if (res.status !== 201 || !body) throw new Error(`POST /accounts answered ${res.status}: ${res.body}`);
    ids.push(body.accountId);
  }
  const deadline = Date.now() + timeoutMs;
  for (const id of ids) {
    for (;;) {
      const res = api('GET', '/accounts/:id', { id }, null, { kind: 'setup', expect: [200, 404] });
      if (res.status === 200) break;
      if (res.status !== 404) throw new Error(`GET /accounts/${id} answered ${res.status}: ${res.body}`);
      if (Date.now() > deadline) throw new Error(`account ${id} was not projected within ${timeoutMs} ms: are ingest and the projectors running?`);
      sleep(0.05);
    }
  }
  return ids;
}
