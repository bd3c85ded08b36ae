import { formatMoney } from '@ledgerflow/cdc-core';

/** The outcome of one command, as the demo counts it. */
export type CommandOutcome = { readonly ok: true; readonly events: number } | { readonly ok: false; readonly status: number; readonly code: string };

/** A minimal client of the banking API (only what the demo drives). */
export class BankApiClient {
  readonly #base: string;
  readonly #headers: Record<string, string>;

  /** `token`: a bearer token with the `write` role (the API refuses commands without one). */
  constructor(baseUrl: string, token?: string) {
    this.#base = baseUrl.replace(/\/$/, '');
    this.#headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  }

  async createAccount(ownerName: string, initialBalanceCents: bigint): Promise<string> {
    const response = await this.#post('/accounts', { ownerName, initialBalance: formatMoney(initialBalanceCents) });
    if (!response.ok) throw new Error(`create account failed: ${response.status} ${JSON.stringify(response.body)}`);
    return String((response.body as { accountId: string }).accountId);
  }

  deposit(accountId: string, amountCents: bigint): Promise<CommandOutcome> {
    return this.#command(`/accounts/${accountId}/deposits`, { amount: formatMoney(amountCents) }, 1);
  }

  withdraw(accountId: string, amountCents: bigint): Promise<CommandOutcome> {
    return this.#command(`/accounts/${accountId}/withdrawals`, { amount: formatMoney(amountCents) }, 1);
  }

  transfer(fromAccountId: string, toAccountId: string, amountCents: bigint): Promise<CommandOutcome> {
    return this.#command('/transfers', { fromAccountId, toAccountId, amount: formatMoney(amountCents) }, 2);
  }

  close(accountId: string, reason: string): Promise<CommandOutcome> {
    return this.#command(`/accounts/${accountId}/close`, { reason }, 1);
  }

  async healthy(): Promise<boolean> {
    try {
      const response = await fetch(`${this.#base}/healthz`);
      return response.ok;
    } catch {
      return false;
    }
  }

  async #command(path: string, body: unknown, events: number): Promise<CommandOutcome> {
    const response = await this.#post(path, body);
    if (response.ok) return { ok: true, events };
    const code = (response.body as { error?: { code?: string } } | null)?.error?.code ?? 'UNKNOWN';
    return { ok: false, status: response.status, code };
  }

  async #post(path: string, body: unknown): Promise<{ ok: boolean; status: number; body: unknown }> {
    const response = await fetch(`${this.#base}${path}`, {
      method: 'POST',
      headers: this.#headers,
      body: JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { raw: text.slice(0, 200) };
    }
    return { ok: response.ok, status: response.status, body: parsed };
  }
}
