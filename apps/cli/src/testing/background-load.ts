import type { BankApiClient } from '../demo/api-client';
import { workload } from '../demo/workload';

/**
 * Sends banking commands through the API until stopped, ignoring failures (during a fault the
 * API may answer 5xx or not at all: a command that failed simply did not happen, and verify
 * compares the read models with what the event store actually holds).
 */
export class BackgroundLoad {
  #running = false;
  #loops: Promise<void>[] = [];
  accepted = 0;
  failed = 0;

  constructor(
    private readonly client: BankApiClient,
    private readonly accountIds: readonly string[],
    private readonly seed: number,
  ) {}

  start(concurrency = 4): void {
    this.#running = true;
    const operations = workload({ accounts: this.accountIds.length, seed: this.seed, closeRate: 0 });
    const loop = async () => {
      while (this.#running) {
        const op = operations.next().value;
        const ids = this.accountIds;
        try {
          const outcome =
            op.kind === 'deposit'
              ? await this.client.deposit(ids[op.account]!, op.amountCents)
              : op.kind === 'withdraw'
                ? await this.client.withdraw(ids[op.account]!, op.amountCents)
                : op.kind === 'transfer'
                  ? await this.client.transfer(ids[op.from]!, ids[op.to]!, op.amountCents)
                  : await this.client.close(ids[op.account]!, 'test');
          if (outcome.ok) this.accepted++;
          else this.failed++;
        } catch {
          this.failed++;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    this.#loops = Array.from({ length: concurrency }, loop);
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }
}
