import type { DeadLetterSummary, VerifyReport } from '@ledgerflow/sinks';

/** Renders a verify report for people, with the dead-letter store's counts when given. Pure. */
export function formatVerifyReport(report: VerifyReport, deadLetters?: DeadLetterSummary): string[] {
  const m = report.mismatches;
  const lines = [
    `verify: ${report.streams.toLocaleString('en-US')} accounts, ${report.events.toLocaleString('en-US')} events in the store; ` +
      `${report.accountRows.toLocaleString('en-US')} account rows, ${report.transactionRows.toLocaleString('en-US')} transaction rows in the read models`,
    `  accounts:     ${m.missingAccounts} missing, ${m.extraAccounts} extra, ${m.wrongAccounts} wrong`,
    `  transactions: ${m.missingTransactions} missing, ${m.extraTransactions} extra, ${m.wrongTransactions} wrong`,
    `  event store:  ${m.brokenStreams} streams with version gaps, ${m.parkedStreams} accounts holding an event that cannot be applied`,
    `  skipped:      ${report.skippedEvents} events skipped by an operator (no-ops; not mismatches)`,
  ];
  if (deadLetters) {
    lines.push(`  dead letters: ${deadLetters.parkedAccounts} parked accounts, ${deadLetters.deadLetterEvents} failed or held events (see 'ledgerflow dlq list')`);
  }
  lines.push(report.total === 0 ? 'verify: OK — 0 mismatches' : `verify: FAILED — ${report.total} mismatches`);
  for (const sample of report.samples) lines.push(`  e.g. ${sample}`);
  return lines;
}
