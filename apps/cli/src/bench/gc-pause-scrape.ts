import { gcPausesBetween, readGcPauseTotals, type GcPauses, type GcPauseTotals } from './gc-pauses';

type Scrape = Record<string, GcPauseTotals | null>;

/** Each process's pause histogram from its /metrics (null where the scrape failed: the run goes on). */
export async function scrapeGcPauses(metricsUrls: Readonly<Record<string, string>>): Promise<Scrape> {
  const read = async ([name, url]: [string, string]): Promise<[string, GcPauseTotals | null]> => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      return [name, res.ok ? readGcPauseTotals(await res.text()) : null];
    } catch {
      return [name, null];
    }
  };
  return Object.fromEntries(await Promise.all(Object.entries(metricsUrls).map(read)));
}

/** The pauses of each process scraped both times. */
export function gcPausesOverWindow(before: Scrape, after: Scrape): Record<string, GcPauses> {
  const window: Record<string, GcPauses> = {};
  for (const [name, start] of Object.entries(before)) {
    const end = after[name];
    if (start && end) window[name] = gcPausesBetween(start, end);
  }
  return window;
}
