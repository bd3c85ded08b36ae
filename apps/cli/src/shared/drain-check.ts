/** What `ledgerflow partitions set` reads of a pipeline before it changes the partition count. */
export interface DrainState {
  /** Replication slots of this database that a consumer holds (a running ingest). */
  readonly activeSlots: readonly string[];
  /** Projector members that hold a partition lock or heartbeated within MEMBER_QUIET_MS. */
  readonly liveMembers: readonly string[];
  /** Partition queues holding jobs a projector will still process (waiting, active, delayed), in partition order. */
  readonly busyQueues: readonly { readonly partition: number; readonly jobs: number }[];
  /** Accounts parked in the dead-letter store: each is tied to the partition that parked it. */
  readonly parkedAccounts: number;
}

/** A member silent this long is taken for gone (a crashed one leaves its row behind). */
export const MEMBER_QUIET_MS = 60_000;

/**
 * Why the partition count may not change now: an account's partition is its id's hash modulo
 * the count, so any event still between ingest and the read models (read by a running ingest,
 * in a queue, in a projector's hands) or any parked account would end up in, or be held by,
 * another partition than its earlier events (decision 003, 017). Empty when drained. Pure.
 */
export function drainRefusals(state: DrainState): string[] {
  const reasons: string[] = [];
  if (state.activeSlots.length > 0) reasons.push(`ingest is running (replication slot ${state.activeSlots.join(', ')} is in use): stop it first`);
  if (state.liveMembers.length > 0) reasons.push(`projectors are running (${state.liveMembers.join(', ')}): let them empty the queues, then stop them`);
  if (state.busyQueues.length > 0) {
    const total = state.busyQueues.reduce((sum, q) => sum + q.jobs, 0);
    const named = state.busyQueues.slice(0, 8).map((q) => `p${q.partition}: ${q.jobs}`).join(', ');
    reasons.push(`${total} jobs are still queued (${named}${state.busyQueues.length > 8 ? ', …' : ''}): run the projectors until every queue is empty`);
  }
  if (state.parkedAccounts > 0) reasons.push(`${state.parkedAccounts} accounts are parked: redrive or skip them first (ledgerflow dlq list)`);
  return reasons;
}
