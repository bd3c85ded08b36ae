import { formatTick, linearScale, logScale, type Scale } from './chart-scale';

export interface XY {
  readonly x: number;
  readonly y: number;
}

/** One line of a panel; `faint` draws it thin and light (a secondary figure such as p50). */
export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  readonly points: readonly XY[];
  readonly faint?: boolean;
}

/** A horizontal dashed line at a fixed value (a ceiling, a goal). */
export interface ChartReference {
  readonly label: string;
  readonly y: number;
  readonly color: string;
}

export interface ChartPanel {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly yScale: 'linear' | 'log';
  readonly series: readonly ChartSeries[];
  readonly references: readonly ChartReference[];
  /** A shaded span of x (the warm-up). */
  readonly shade?: { readonly from: number; readonly to: number; readonly label: string };
}

export interface BenchChartInput {
  readonly title: string;
  readonly subtitle: string;
  /** Catch-up throughput over time. */
  readonly throughput: ChartPanel;
  /** Steady-state lag over time. */
  readonly lag: ChartPanel;
}

interface Box {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

const WIDTH = 900;
const HEIGHT = 560;
const LEGEND_X = 724;
const PANELS: readonly Box[] = [
  { left: 72, top: 72, right: 710, bottom: 268 },
  { left: 72, top: 336, right: 710, bottom: 508 },
];

/** Text and attribute values: labels carry user input (the command line). */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const num = (v: number) => String(Math.round(v * 10) / 10);
const text = (x: number, y: number, body: string, attrs = '') => `<text x="${num(x)}" y="${num(y)}"${attrs ? ` ${attrs}` : ''}>${escapeXml(body)}</text>`;

/** One self-contained SVG of the two panels (no scripts, fonts or external references). */
export function renderBenchChart(input: BenchChartInput): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    text(16, 24, input.title, 'font-size="15" font-weight="bold"'),
    text(16, 42, input.subtitle, 'font-family="monospace" fill="#555555"'),
    ...renderPanel(input.throughput, PANELS[0]!),
    ...renderPanel(input.lag, PANELS[1]!),
    '</svg>',
    '',
  ].join('\n');
}

function renderPanel(panel: ChartPanel, box: Box): string[] {
  const finite = (p: XY) => Number.isFinite(p.x) && Number.isFinite(p.y);
  const points = panel.series.flatMap((s) => s.points.filter(finite));
  const xs = linearScale([0, ...points.map((p) => p.x), ...(panel.shade ? [panel.shade.to] : [])]);
  const yValues = [...points.map((p) => p.y), ...panel.references.map((r) => r.y)];
  const ys = panel.yScale === 'log' ? logScale(yValues) : linearScale([0, ...yValues]);
  const px = (x: number) => box.left + xs.at(x) * (box.right - box.left);
  const py = (y: number) => box.bottom - ys.at(y) * (box.bottom - box.top);
  return [
    `<g class="panel">`,
    text(box.left, box.top - 12, panel.title, 'font-size="13" font-weight="bold"'),
    ...(panel.shade ? shade(panel.shade, box, px) : []),
    ...axes(panel, box, xs, ys, px, py),
    ...panel.references.flatMap((r) => reference(r, box, py)),
    ...panel.series.flatMap((s) => line(s, px, py)),
    ...legend(panel.series, box),
    `</g>`,
  ];
}

function shade(span: NonNullable<ChartPanel['shade']>, box: Box, px: (x: number) => number): string[] {
  const from = Math.max(box.left, px(span.from));
  const to = Math.min(box.right, px(span.to));
  if (!(to > from)) return [];
  return [`<rect class="shade" x="${num(from)}" y="${box.top}" width="${num(to - from)}" height="${box.bottom - box.top}" fill="#eeeeee"/>`, text(from + 4, box.top + 12, span.label, 'fill="#777777"')];
}

function axes(panel: ChartPanel, box: Box, xs: Scale, ys: Scale, px: (x: number) => number, py: (y: number) => number): string[] {
  const out: string[] = [];
  for (const t of ys.ticks) {
    out.push(`<line x1="${box.left}" y1="${num(py(t))}" x2="${box.right}" y2="${num(py(t))}" stroke="#e4e4e4"/>`);
    out.push(text(box.left - 6, py(t) + 4, formatTick(t), 'class="tick-y" text-anchor="end"'));
  }
  for (const t of xs.ticks) {
    out.push(`<line x1="${num(px(t))}" y1="${box.bottom}" x2="${num(px(t))}" y2="${box.bottom + 4}" stroke="#333333"/>`);
    out.push(text(px(t), box.bottom + 16, formatTick(t), 'class="tick-x" text-anchor="middle"'));
  }
  out.push(`<rect x="${box.left}" y="${box.top}" width="${box.right - box.left}" height="${box.bottom - box.top}" fill="none" stroke="#333333"/>`);
  out.push(text((box.left + box.right) / 2, box.bottom + 30, panel.xLabel, 'text-anchor="middle"'));
  const middle = (box.top + box.bottom) / 2;
  out.push(text(18, middle, panel.yLabel, `text-anchor="middle" transform="rotate(-90 18 ${num(middle)})"`));
  return out;
}

function reference(r: ChartReference, box: Box, py: (y: number) => number): string[] {
  if (!Number.isFinite(r.y)) return [];
  const y = py(r.y);
  // A line at the top edge gets its label below it, clear of the panel title.
  const labelY = y - box.top < 14 ? y + 13 : y - 4;
  return [
    `<line class="reference" x1="${box.left}" y1="${num(y)}" x2="${box.right}" y2="${num(y)}" stroke="${escapeXml(r.color)}" stroke-dasharray="6 4"/>`,
    text(box.right - 4, labelY, r.label, `text-anchor="end" fill="${escapeXml(r.color)}"`),
  ];
}

/** One polyline per series with points; a lone point also gets a dot, as a line of one point draws nothing. */
function line(s: ChartSeries, px: (x: number) => number, py: (y: number) => number): string[] {
  const points = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (points.length === 0) return [];
  const color = escapeXml(s.color);
  const style = s.faint ? `stroke-width="1.25" stroke-opacity="0.5"` : `stroke-width="2"`;
  const coords = points.map((p) => `${num(px(p.x))},${num(py(p.y))}`).join(' ');
  const out = [`<polyline class="series" fill="none" stroke="${color}" ${style} stroke-linejoin="round" points="${coords}"><title>${escapeXml(s.label)}</title></polyline>`];
  if (points.length === 1) out.push(`<circle cx="${num(px(points[0]!.x))}" cy="${num(py(points[0]!.y))}" r="3" fill="${color}"/>`);
  return out;
}

function legend(series: readonly ChartSeries[], box: Box): string[] {
  return series.flatMap((s, i) => {
    const y = box.top + 8 + i * 16;
    const empty = s.points.some((p) => Number.isFinite(p.x) && Number.isFinite(p.y)) ? '' : ' (no data)';
    return [
      `<line x1="${LEGEND_X}" y1="${y}" x2="${LEGEND_X + 20}" y2="${y}" stroke="${escapeXml(s.color)}" stroke-width="${s.faint ? 1.25 : 2}"${s.faint ? ' stroke-opacity="0.5"' : ''}/>`,
      text(LEGEND_X + 26, y + 4, `${s.label}${empty}`),
    ];
  });
}
