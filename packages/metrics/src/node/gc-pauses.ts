import { constants, PerformanceObserver } from 'node:perf_hooks';
import type { Attributes, Histogram } from '@opentelemetry/api';

/** The `kind` label of each garbage-collection kind Node reports, built once (no garbage per pause). */
const KIND_ATTRIBUTES = new Map<number, Attributes>([
  [constants.NODE_PERFORMANCE_GC_MINOR, Object.freeze({ kind: 'minor' })],
  [constants.NODE_PERFORMANCE_GC_MAJOR, Object.freeze({ kind: 'major' })],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, Object.freeze({ kind: 'incremental' })],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, Object.freeze({ kind: 'weakcb' })],
]);
const OTHER: Attributes = Object.freeze({ kind: 'other' });

/** The labels of a `gc` performance entry's kind (`entry.detail.kind`). */
export function gcPauseAttributes(kind: unknown): Attributes {
  return (typeof kind === 'number' && KIND_ATTRIBUTES.get(kind)) || OTHER;
}

/**
 * Records every garbage-collection pause of this process, in seconds, into `histogram` until
 * the returned function is called. Why a metric: while a collection runs the process does
 * nothing else, so every event it holds waits; on a busy small machine young-generation
 * pauses of 5-20 ms are much of a steady run's lag tail (decision 018).
 */
export function observeGcPauses(histogram: Pick<Histogram, 'record'>): () => void {
  const observer = new PerformanceObserver((list) => {
    // Every entry: under load several collections arrive in one list.
    for (const entry of list.getEntries()) histogram.record(entry.duration / 1000, gcPauseAttributes((entry.detail as { kind?: unknown } | null)?.kind));
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
