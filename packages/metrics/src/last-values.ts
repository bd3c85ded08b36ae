import type { Attributes } from '@opentelemetry/api';
import type { GaugeReading, GaugeSource } from './gauges';

/** A stable key for a label set, whatever the order its keys were written in. */
export function attributesKey(attributes: Attributes): string {
  return JSON.stringify(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The last value of a gauge per label set, kept by the code that sees it change (e.g. the
 * position last applied per partition) and read at scrape time through `source`.
 *
 * @example
 *   const applied = new LastValues();
 *   registerGauges({ appliedPosition: applied.source });
 *   applied.set(event.position, { partition: 3 });
 */
export class LastValues {
  readonly #readings = new Map<string, GaugeReading>();

  /** Sets the value for the label set. */
  set(value: number | bigint, attributes: Attributes = {}): void {
    this.#readings.set(attributesKey(attributes), { value, attributes });
  }

  /** The value for the label set, if any. */
  get(attributes: Attributes = {}): number | bigint | undefined {
    return this.#readings.get(attributesKey(attributes))?.value;
  }

  /** Forgets the label set (e.g. a partition this process no longer owns). */
  delete(attributes: Attributes = {}): void {
    this.#readings.delete(attributesKey(attributes));
  }

  clear(): void {
    this.#readings.clear();
  }

  /** The current readings; pass it to registerGauges. */
  readonly source: GaugeSource = () => [...this.#readings.values()];
}
