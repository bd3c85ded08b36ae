/**
 * Runs `step` again and again, sleeping between runs for as long as the step asks (so a step
 * decides its own backoff). `stop()` cuts the sleep short and waits for the step in hand; a
 * step that throws is a bug of the step (steps handle their own errors) and stops nothing.
 */
export class Ticker {
  readonly #step: () => Promise<number>;
  #stopping = false;
  #wake: (() => void) | undefined;
  #running: Promise<void> | undefined;

  constructor(step: () => Promise<number>) {
    this.#step = step;
  }

  /** Starts the loop; the first step runs after `firstDelayMs`. */
  start(firstDelayMs = 0): void {
    this.#running ??= this.#loop(firstDelayMs);
  }

  /** Stops the loop after the step in hand. Idempotent. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#running;
  }

  async #loop(firstDelayMs: number): Promise<void> {
    await this.#sleep(firstDelayMs);
    while (!this.#stopping) {
      let delay: number;
      try {
        delay = await this.#step();
      } catch {
        delay = 1000;
      }
      await this.#sleep(delay);
    }
  }

  async #sleep(ms: number): Promise<void> {
    if (this.#stopping || ms <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
  }
}
