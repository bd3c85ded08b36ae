const WIDTH = 24;
const n = (v: number) => Math.round(v).toLocaleString('en-US');

/**
 * One line of a terminal progress bar: `label [#####-----]  45% 450,000 / 1,000,000 · 12.3 s`.
 * `done` past `total` shows as full; a zero total as empty.
 */
export function progressLine(label: string, done: number, total: number, elapsedMs: number): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(fraction * WIDTH);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}`;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `${label} [${bar}] ${percent} ${n(Math.min(done, total))} / ${n(total)} · ${(elapsedMs / 1000).toFixed(1)} s`;
}

/** Reports progress as `(done, total)`; the bench prints it as a bar on a terminal. */
export type OnProgress = (done: number, total: number) => void;

/**
 * A progress reporter that redraws one terminal line at most every `everyMs` (and not at all
 * when the output is not a terminal, so logs stay readable), and `end()` clears it.
 */
export function terminalProgress(label: string, out: NodeJS.WriteStream = process.stdout, everyMs = 250, now: () => number = Date.now): { update: OnProgress; end: () => void } {
  const started = now();
  let last = -Infinity;
  let drawn = false;
  return {
    update: (done, total) => {
      if (!out.isTTY || now() - last < everyMs) return;
      last = now();
      drawn = true;
      out.write(`\r${progressLine(label, done, total, last - started)}\x1b[K`);
    },
    end: () => {
      if (drawn) out.write('\r\x1b[K');
    },
  };
}
