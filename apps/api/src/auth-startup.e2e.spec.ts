import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort, waitFor } from '@ledgerflow/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_TOKENS } from './testing/tokens';

/** The real API process refuses to start unprotected unless told to, and then says so loudly. */
const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.resolve(__dirname, 'main.ts');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function startApi(env: Record<string, string>): { child: ChildProcess; output: string[]; exit: Promise<number | null> } {
  const base = { ...process.env };
  for (const name of ['API_TOKENS', 'API_AUTH_DISABLED', 'OTEL_EXPORTER_OTLP_ENDPOINT']) delete base[name];
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', MAIN], { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, output, exit };
}

describe('api start-up without tokens', () => {
  it('refuses to start (exit 1) when API_TOKENS is unset, naming the variable and the way out', async () => {
    const port = await freePort();
    const api = startApi({ API_PORT: String(port), LOG_LEVEL: 'info' });
    expect(await api.exit, api.output.join('')).toBe(1);
    const text = api.output.join('');
    expect(text).toContain('api failed to start');
    expect(text).toContain('API_TOKENS: is required');
    expect(text).toContain('API_AUTH_DISABLED=true');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('refuses a malformed API_TOKENS without printing it', async () => {
    const api = startApi({ API_PORT: String(await freePort()), API_TOKENS: `${TEST_TOKENS.admin}:admin` });
    expect(await api.exit).toBe(1);
    const text = api.output.join('');
    expect(text).toContain('API_TOKENS: entry 1 of 1: the role must be one of read, write, admin');
    expect(text).not.toContain(TEST_TOKENS.admin);
  });

  it('starts open with API_AUTH_DISABLED=true, warning even at LOG_LEVEL=error', async () => {
    const port = await freePort();
    const api = startApi({ API_PORT: String(port), API_AUTH_DISABLED: 'true', LOG_LEVEL: 'error' });
    await waitFor(`the API to listen (output: ${api.output.join('')})`, async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status === 200, 30_000);
    expect(api.output.join('')).toContain('AUTHENTICATION IS DISABLED (API_AUTH_DISABLED=true)');
    api.child.kill('SIGTERM');
    expect(await api.exit).toBe(0);
  });
});
