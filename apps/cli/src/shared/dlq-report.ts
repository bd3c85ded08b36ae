import type { DeadLetterEvent, ParkedAccount, RedriveResult, SkippedEvent, SkipResult } from '@ledgerflow/sinks';

const shorten = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** `dlq list`: one line per parked account. Pure. */
export function formatParkedList(parked: readonly ParkedAccount[]): string[] {
  if (parked.length === 0) return ['dlq: no parked accounts'];
  const lines = [
    `dlq: ${parked.length} parked account${parked.length === 1 ? '' : 's'}`,
    `  ${'account'.padEnd(36)}  ${'code'.padEnd(20)}  ${'failed'.padStart(6)}  ${'held'.padStart(5)}  ${'tries'.padStart(5)}  ${'parked at'.padEnd(24)}  message`,
  ];
  for (const p of parked) {
    lines.push(
      `  ${p.accountId.padEnd(36)}  ${p.code.padEnd(20)}  ${`v${p.failedVersion}`.padStart(6)}  ${String(p.heldCount).padStart(5)}  ${String(p.attempts).padStart(5)}  ${p.parkedAt.padEnd(24)}  ${shorten(p.message, 100)}`,
    );
  }
  return lines;
}

/** `dlq show`: the parked account, its failed and held events with their codes, and its skips. Pure. */
export function formatAccountDeadLetters(accountId: string, parked: ParkedAccount | undefined, events: readonly DeadLetterEvent[], skipped: readonly SkippedEvent[]): string[] {
  const lines: string[] = [];
  if (!parked) {
    lines.push(`account ${accountId} is not parked`);
  } else {
    const row = parked.projectedVersion === 0 ? 'no read-model row yet (its first event failed)' : `read model stopped at v${parked.projectedVersion}, marked stale`;
    lines.push(
      `account ${parked.accountId}: parked since ${parked.parkedAt} (partition ${parked.partition}; ${row})`,
      `  ${parked.code}: ${parked.message}`,
    );
    const cause = parked.details['cause'];
    if (typeof cause === 'string') lines.push(`  cause: ${cause}`);
    lines.push(`  failed redrives: ${parked.attempts}${parked.attempts > 0 ? ` (last at ${parked.updatedAt})` : ''}`);
  }
  if (events.length > 0) {
    lines.push('events (version order):');
    for (const e of events) {
      lines.push(`  v${e.version}  ${e.reason.padEnd(6)}  ${e.code.padEnd(20)}  ${e.type.padEnd(16)}  ${e.eventId}  position ${e.position}`);
      if (e.reason === 'failed') lines.push(`      ${e.message}`, `      data: ${shorten(JSON.stringify(e.data), 300)}`);
    }
  }
  if (skipped.length > 0) {
    lines.push('skipped events (applied as no-ops):');
    for (const s of skipped) lines.push(`  v${s.version}  ${s.eventId}  at ${s.skippedAt}: ${s.reason}`);
  }
  return lines;
}

/** `dlq redrive`: what happened. Pure. */
export function formatRedrive(result: RedriveResult): string[] {
  const applied = `${result.applied} event${result.applied === 1 ? '' : 's'} applied`;
  if (result.outcome === 'unparked') return [`dlq redrive: account ${result.accountId} unparked — ${applied}, read model at v${result.version}`];
  return [
    `dlq redrive: account ${result.accountId} is still parked — ${applied}, read model at v${result.version}`,
    `  event ${result.failedEventId} (v${result.failedVersion}) fails with ${result.code}: ${result.message}`,
    `  ${result.held} later event${result.held === 1 ? '' : 's'} held; failed redrives: ${result.attempts}`,
    `  fix the event in the event store and redrive again, or skip it: ledgerflow dlq skip ${result.failedEventId} --reason "…"`,
  ];
}

/** `dlq skip`: what was recorded. Pure. */
export function formatSkip(result: SkipResult): string[] {
  const what = `event ${result.eventId} (v${result.version} ${result.type}) of account ${result.accountId}`;
  return [
    result.recorded ? `dlq skip: ${what} will be applied as a no-op` : `dlq skip: ${what} was already skipped (its first reason is kept)`,
    `  run 'ledgerflow dlq redrive ${result.accountId}' to continue past it`,
  ];
}
