/**
 * End-of-test summary: JSON for CI artifacts and a short text report for the console. Pure
 * (no k6 imports); k6 passes handleSummary a plain object.
 */

const TREND_STATS = ['avg', 'med', 'p(95)', 'p(99)', 'max'];

function formatValue(metric, value) {
  if (metric.type === 'rate') return `${(value * 100).toFixed(2)}%`;
  if (metric.type === 'trend' && metric.contains === 'time') return `${value.toFixed(1)}ms`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function describeMetric(name, metric) {
  const values = metric.values || {};
  const stats = metric.type === 'trend' ? TREND_STATS.filter((s) => values[s] !== undefined) : Object.keys(values).filter((s) => s === 'rate' || s === 'count' || s === 'value');
  return `  ${name}: ${stats.map((s) => `${s}=${formatValue(metric, values[s])}`).join(' ')}`;
}

/** The text report: every threshold with ✓/✗, then every metric that has a threshold or is custom. */
export function textSummary(data, title) {
  const lines = [`${title}`, 'thresholds:'];
  const metrics = data.metrics || {};
  let failed = 0;
  for (const [name, metric] of Object.entries(metrics)) {
    for (const [expression, result] of Object.entries(metric.thresholds || {})) {
      if (!result.ok) failed += 1;
      lines.push(`  ${result.ok ? '✓' : '✗'} ${name} ${expression}`);
    }
  }
  lines.push('metrics:');
  for (const name of Object.keys(metrics).sort()) lines.push(describeMetric(name, metrics[name]));
  lines.push(failed === 0 ? 'all thresholds passed' : `${failed} threshold(s) FAILED (k6 exits 99)`);
  return `${lines.join('\n')}\n`;
}

/** handleSummary's answer: text on stdout and, when `file` is set, the full data as JSON there. */
export function summaryOutputs(data, title, file) {
  const outputs = { stdout: textSummary(data, title) };
  if (file) outputs[file] = JSON.stringify(data, null, 2);
  return outputs;
}
