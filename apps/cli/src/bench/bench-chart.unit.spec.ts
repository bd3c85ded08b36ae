import { describe, expect, it } from 'vitest';
import { escapeXml, renderBenchChart, type BenchChartInput, type ChartPanel } from './bench-chart';

/** Balanced tags, quoted attributes, no raw `<` or stray `&` in text or attribute values. */
function wellFormedErrors(xml: string): string[] {
  const errors: string[] = [];
  const stack: string[] = [];
  const entity = /&(?!(amp|lt|gt|quot|apos);)/;
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/g;
  let at = 0;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    const between = xml.slice(at, m.index);
    if (/[<>]/.test(between) || entity.test(between)) errors.push(`bad text ${JSON.stringify(between)}`);
    if (/[<>]/.test(m[3]!) || entity.test(m[3]!)) errors.push(`bad attributes in ${m[0]}`);
    at = m.index + m[0].length;
    if (m[1]) {
      if (stack.pop() !== m[2]) errors.push(`unbalanced </${m[2]}>`);
    } else if (!m[4]) stack.push(m[2]!);
  }
  if (/[<>]/.test(xml.slice(at)) || entity.test(xml.slice(at))) errors.push('bad trailing text');
  if (stack.length > 0) errors.push(`unclosed ${stack.join(', ')}`);
  return errors;
}

const panel = (over: Partial<ChartPanel> = {}): ChartPanel => ({ title: 'p', xLabel: 'x', yLabel: 'y', yScale: 'linear', series: [], references: [], ...over });

const input: BenchChartInput = {
  title: 'Ledgerflow bench — 2026-11-27 — 2 cores',
  subtitle: 'ledgerflow bench --json-file bench-results/bench-full.json',
  throughput: panel({
    series: [
      { label: 'catch-up, 1 projector(s)', color: '#1f77b4', points: [{ x: 0.25, y: 40_000 }, { x: 0.75, y: 45_000 }, { x: 1.25, y: 38_000 }] },
      { label: 'catch-up, 2 projector(s)', color: '#2ca02c', points: [{ x: 0.25, y: 35_000 }, { x: 0.75, y: 39_000 }] },
      { label: 'naive baseline (conc. 20)', color: '#d62728', points: Array.from({ length: 50 }, (_, i) => ({ x: i * 0.5 + 0.25, y: 3600 + (i % 3) * 50 })) },
    ],
    references: [{ label: 'sink ceiling 78,895/s', y: 78_895, color: '#555555' }],
  }),
  lag: panel({
    yScale: 'log',
    series: [
      { label: '2,000/s p99', color: '#1f77b4', points: Array.from({ length: 60 }, (_, i) => ({ x: i + 0.5, y: i < 5 ? 900 : 60 })) },
      { label: '2,000/s p50', color: '#1f77b4', points: Array.from({ length: 60 }, (_, i) => ({ x: i + 0.5, y: 20 })), faint: true },
    ],
    references: [{ label: 'goal 50 ms at 2,000/s', y: 50, color: '#1f77b4' }],
    shade: { from: 0, to: 5, label: 'warm-up (first 5 s)' },
  }),
};

const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

describe('the XML check used here', () => {
  it('rejects what it must', () => {
    expect(wellFormedErrors('<svg><g></svg>')).not.toEqual([]);
    expect(wellFormedErrors('<svg><text>a < b</text></svg>')).not.toEqual([]);
    expect(wellFormedErrors('<svg><text>a & b</text></svg>')).not.toEqual([]);
    expect(wellFormedErrors('<svg><line x="1&2"/></svg>')).not.toEqual([]);
    expect(wellFormedErrors('<svg><text>a &amp; b</text><line x="1"/></svg>')).toEqual([]);
  });
});

describe('renderBenchChart', () => {
  it('is one well-formed SVG with a polyline per series, titled with its label', () => {
    const svg = renderBenchChart(input);
    expect(wellFormedErrors(svg)).toEqual([]);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="900" height="560"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(count(svg, /<polyline /g)).toBe(5);
    for (const s of [...input.throughput.series, ...input.lag.series]) expect(svg).toContain(`<title>${escapeXml(s.label)}</title></polyline>`);
    expect(svg).toContain(input.title);
    expect(svg).toContain(input.subtitle);
  });

  it('draws each reference as a dashed line with its label, and shades the warm-up', () => {
    const svg = renderBenchChart(input);
    expect(count(svg, /<line class="reference"[^>]*stroke-dasharray/g)).toBe(2);
    expect(svg).toContain('sink ceiling 78,895/s');
    expect(svg).toContain('goal 50 ms at 2,000/s');
    expect(count(svg, /<rect class="shade"/g)).toBe(1);
    expect(svg).toContain('warm-up (first 5 s)');
    // The ceiling sits on the top edge: its label goes below the line, inside the panel.
    expect(Number(/<text x="[\d.]+" y="([\d.]+)"[^>]*>sink ceiling/.exec(svg)?.[1])).toBeGreaterThan(72);
  });

  it('labels y ticks with ascending round values going up the panel', () => {
    const panels = renderBenchChart(input).split('<g class="panel">').slice(1);
    expect(panels).toHaveLength(2);
    for (const p of panels) {
      const ticks = [...p.matchAll(/<text x="[\d.]+" y="([\d.]+)" class="tick-y"[^>]*>([^<]+)<\/text>/g)].map((m) => ({ y: Number(m[1]), v: Number(m[2]!.replace(/,/g, '')) }));
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < ticks.length; i++) {
        expect(ticks[i]!.v).toBeGreaterThan(ticks[i - 1]!.v);
        expect(ticks[i]!.y).toBeLessThan(ticks[i - 1]!.y);
      }
    }
    expect(panels[0]).toContain('>80,000</text>'); // the ceiling fits under the top tick
    expect(panels[1]).toContain('>1,000</text>'); // log scale up to the next power of ten
  });

  it('keeps every point inside its panel', () => {
    const svg = renderBenchChart(input);
    const coords = [...svg.matchAll(/points="([^"]*)"/g)].flatMap((m) => m[1]!.split(' ').map((xy) => xy.split(',').map(Number)));
    expect(coords.length).toBe(3 + 2 + 50 + 60 + 60);
    for (const [x, y] of coords) {
      expect(x! >= 72 && x! <= 710, `x ${x}`).toBe(true);
      expect(y! >= 72 && y! <= 508, `y ${y}`).toBe(true);
    }
  });

  it('handles empty series and empty panels', () => {
    const svg = renderBenchChart({ ...input, throughput: panel({ series: [{ label: 'nothing', color: '#000', points: [] }] }), lag: panel({ yScale: 'log' }) });
    expect(wellFormedErrors(svg)).toEqual([]);
    expect(count(svg, /<polyline /g)).toBe(0);
    expect(svg).toContain('nothing (no data)');
  });

  it('draws a single point as a polyline with a dot', () => {
    const svg = renderBenchChart({ ...input, throughput: panel({ series: [{ label: 'one', color: '#000', points: [{ x: 2, y: 5 }] }] }) });
    expect(wellFormedErrors(svg)).toEqual([]);
    expect(count(svg, /<polyline /g)).toBe(1 + 2);
    expect(count(svg, /<circle /g)).toBe(1);
  });

  it('escapes <, & and quotes in every piece of text', () => {
    const nasty = 'ledgerflow bench --svg "a<b&c>.svg"';
    const svg = renderBenchChart({ ...input, subtitle: nasty, lag: panel({ series: [{ label: '<&>', color: '"red"', points: [{ x: 1, y: 1 }] }] }) });
    expect(wellFormedErrors(svg)).toEqual([]);
    expect(svg).toContain('ledgerflow bench --svg &quot;a&lt;b&amp;c&gt;.svg&quot;');
    expect(svg).toContain('<title>&lt;&amp;&gt;</title>');
    expect(svg).toContain('stroke="&quot;red&quot;"');
    expect(svg).not.toContain('a<b&c');
  });
});
