import type { PipelineSnapshot } from '../shared/pipeline-probe';
import type { DriverStats } from './driver';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Renders the demo's live view from two consecutive snapshots. Pure. */
export function renderLiveView(phase: string, startedAtMs: number, previous: PipelineSnapshot | undefined, current: PipelineSnapshot, stats: DriverStats): string[] {
  const elapsed = (current.atMs - startedAtMs) / 1000;
  const dt = previous ? (current.atMs - previous.atMs) / 1000 : 0;
  const projectedRate = previous && dt > 0 ? (current.eventsProjected - previous.eventsProjected) / dt : 0;
  const appendedRate = previous && dt > 0 ? (current.eventsInStore - previous.eventsInStore) / dt : 0;
  const codes = Object.entries(stats.rejectedByCode)
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `${code} ${fmt(n)}`)
    .join(', ');
  const backlog = Math.max(0, current.eventsInStore - current.eventsProjected);
  return [
    `Ledgerflow demo · ${phase} · ${elapsed.toFixed(1)} s`,
    `  commands   accepted ${fmt(stats.accepted)}   rejected ${fmt(stats.rejected)}${codes ? ` (${codes})` : ''}   retried 409s ${fmt(stats.conflictsRetried)}   errors ${fmt(stats.errors)}`,
    `  events     in store ${fmt(current.eventsInStore)} (+${fmt(appendedRate)}/s)   projected ${fmt(current.eventsProjected)} (+${fmt(projectedRate)}/s)   backlog ${fmt(backlog)}`,
    `  pipeline   queue depth ${fmt(current.queueDepth)} jobs   freshness lag ${current.freshnessLagMs === null ? '–' : `${fmt(current.freshnessLagMs)} ms`}   parked accounts ${fmt(current.parkedAccounts)}`,
  ];
}

/** Writes a view in place on a terminal, or as plain lines when output is not a terminal. */
export class LiveViewWriter {
  #linesShown = 0;
  readonly #tty: boolean;
  #lastPlainMs = 0;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {
    this.#tty = Boolean(out.isTTY);
  }

  show(lines: string[], force = false): void {
    if (this.#tty) {
      if (this.#linesShown > 0) this.out.write(`\x1b[${this.#linesShown}A\x1b[J`);
      this.out.write(`${lines.join('\n')}\n`);
      this.#linesShown = lines.length;
      return;
    }
    // Not a terminal (CI, a pipe): one block every 2 s keeps logs readable.
    if (!force && Date.now() - this.#lastPlainMs < 2000) return;
    this.#lastPlainMs = Date.now();
    this.out.write(`${lines.join('\n')}\n`);
  }
}
