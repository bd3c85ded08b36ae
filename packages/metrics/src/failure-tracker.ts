import type { Attributes } from '@opentelemetry/api';
import type { GaugeSource } from './gauges';
import { LastValues } from './last-values';

/**
 * Failures in a row and the time of the last failure, per label set (e.g. per partition):
 * the values behind the `consecutiveFailures` and `lastErrorTime` gauges.
 *
 * @example
 *   const failures = new FailureTracker();
 *   registerGauges({ consecutiveFailures: failures.consecutive, lastErrorTime: failures.lastError });
 *   failures.failed('STALE_WRITE', { partition: 3 }); … failures.succeeded({ partition: 3 });
 */
export class FailureTracker {
  readonly #streaks = new LastValues();
  readonly #lastErrors = new LastValues();

  /** Records a failure with its stable error code; returns the length of the streak. */
  failed(code: string, attributes: Attributes = {}, atMs: number = Date.now()): number {
    const streak = Number(this.#streaks.get(attributes) ?? 0) + 1;
    this.#streaks.set(streak, attributes);
    this.#lastErrors.set(atMs / 1000, { ...attributes, code });
    return streak;
  }

  /** Ends the streak (the gauge then reads 0; the last error time stays). */
  succeeded(attributes: Attributes = {}): void {
    if (this.#streaks.get(attributes) !== undefined) this.#streaks.set(0, attributes);
  }

  /** Source for the `consecutiveFailures` gauge. */
  readonly consecutive: GaugeSource = () => this.#streaks.source();

  /** Source for the `lastErrorTime` gauge (Unix seconds, labelled with the error code). */
  readonly lastError: GaugeSource = () => this.#lastErrors.source();
}
