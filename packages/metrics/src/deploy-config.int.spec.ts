import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRIC } from './names';

const root = path.resolve(__dirname, '../../..');
const dashboard = JSON.parse(readFileSync(path.join(root, 'deploy/grafana/dashboards/ledgerflow.json'), 'utf8')) as {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
};

/** Every metric name a PromQL expression mentions, without the exporter's suffixes. */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/ledgerflow_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(total|bucket|sum|count)$/, ''));
}

describe('the provisioned Grafana dashboard', () => {
  it('only queries metrics that the apps export', () => {
    const known = new Set<string>(Object.values(METRIC));
    const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricsIn(t.expr)));
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((name) => !known.has(name))).toEqual([]);
  });

  it('shows throughput, the lag ladder, queue depth, errors, parked accounts and GC pauses', () => {
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const word of ['throughput', 'lag ladder', 'queue depth', 'errors', 'parked', 'gc pauses']) expect(titles).toContain(word);
  });
});

describe('the Prometheus scrape configuration', () => {
  const file = path.join(root, 'deploy/prometheus/prometheus.yml');

  it('scrapes the api, ingest and projector on their default ports', () => {
    const text = readFileSync(file, 'utf8');
    for (const port of [3000, 9465, 9466]) expect(text).toContain(`host.docker.internal:${port}`);
  });

  it('passes promtool check config', () => {
    const run = spawnSync('promtool', ['check', 'config', '--syntax-only', file], { encoding: 'utf8' });
    if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      if (process.env['CI']) throw new Error('promtool is missing: tools/prepare.sh installs it');
      return;
    }
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
  });
});
