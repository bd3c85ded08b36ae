import { planRebalance, type RebalancePlan } from '@ledgerflow/cdc-core';
import { PROJECTOR_APP_NAME_PREFIX as APP_NAME_PREFIX, PROJECTOR_LOCK_NAMESPACE } from '@ledgerflow/sinks';

// The lock namespace and connection names are shared with `ledgerflow status`, which reads them.
export { PROJECTOR_LOCK_NAMESPACE };

/** PostgreSQL keeps 63 bytes of application_name; the prefix takes 13. */
export const MAX_MEMBER_ID_LENGTH = 50;

/** The application_name of every connection a member opens: how others find (and fence) them. */
export function memberAppName(memberId: string): string {
  return `${APP_NAME_PREFIX}${memberId}`;
}

/** The member id behind an application_name, or undefined for anybody else's connection. */
export function memberOfAppName(name: string | null | undefined): string | undefined {
  return name?.startsWith(APP_NAME_PREFIX) ? name.slice(APP_NAME_PREFIX.length) : undefined;
}

/** A membership row; its age is measured with the database clock. */
export interface MemberRow {
  readonly memberId: string;
  readonly heartbeatAgeMs: number;
}

/** A connection of some member (found by its application_name). */
export interface SessionRow {
  readonly pid: number;
  readonly memberId: string;
  readonly backendAgeMs: number;
}

/** A granted partition advisory lock, with the member whose connection holds it (if any). */
export interface LockRow {
  readonly partition: number;
  readonly pid: number;
  readonly memberId: string | undefined;
}

/** What one member reads of the fleet at the start of a rebalancing step. */
export interface FleetView {
  readonly members: readonly MemberRow[];
  readonly sessions: readonly SessionRow[];
  readonly locks: readonly LockRow[];
}

/** What this member knows about itself when it decides. */
export interface LocalState {
  readonly me: string;
  /** Partition → backend pid of the connection holding its lock, for every partition I own. */
  readonly owned: ReadonlyMap<number, number>;
  /** Backend pids of my lock connections that are being closed. */
  readonly closingPids: ReadonlySet<number>;
}

/** Members to fence off and forget: their connections are terminated, their rows deleted. */
export interface ReapDecision {
  readonly staleMembers: readonly string[];
  readonly pids: readonly number[];
}

/** The ids of the members considered alive (heartbeat within the timeout), me always included. */
export function liveMembers(view: FleetView, me: string, timeoutMs: number): string[] {
  const live = new Set(view.members.filter((m) => m.heartbeatAgeMs <= timeoutMs).map((m) => m.memberId));
  live.add(me);
  return [...live].sort();
}

/**
 * Whose connections to terminate. Others only when `mayReapOthers` (see heartbeat-health): a
 * member whose heartbeat is older than the timeout, and any connection of an unknown member
 * (row already deleted) older than the timeout — a brand-new member's connections are younger
 * than that, since it writes its row before it opens them. Always: my own lock connections
 * that I no longer track (a lease I gave up whose session outlived its socket), so no lock is
 * held forever by nobody.
 */
export function decideReaping(view: FleetView, local: LocalState, timeoutMs: number, mayReapOthers: boolean): ReapDecision {
  const staleMembers = mayReapOthers ? view.members.filter((m) => m.memberId !== local.me && m.heartbeatAgeMs > timeoutMs).map((m) => m.memberId) : [];
  const stale = new Set(staleMembers);
  const known = new Set(view.members.map((m) => m.memberId));
  const pids = new Set<number>();
  for (const s of view.sessions) {
    if (s.memberId === local.me) continue;
    const ghost = !known.has(s.memberId) && s.backendAgeMs > timeoutMs;
    if (mayReapOthers && (stale.has(s.memberId) || ghost)) pids.add(s.pid);
  }
  const mine = new Set([...local.owned.values(), ...local.closingPids]);
  for (const l of view.locks) if (l.memberId === local.me && !mine.has(l.pid)) pids.add(l.pid);
  return { staleMembers, pids: [...pids].sort((a, b) => a - b) };
}

/** Partitions I believe I own whose lock the server does not show on my connection: lost. */
export function lostPartitions(owned: ReadonlyMap<number, number>, locks: readonly LockRow[]): number[] {
  const held = new Set(locks.map((l) => `${l.partition}:${l.pid}`));
  return [...owned].filter(([partition, pid]) => !held.has(`${partition}:${pid}`)).map(([partition]) => partition);
}

/** What one rebalancing step should do. */
export interface StepDecision {
  readonly reap: ReapDecision;
  readonly lost: readonly number[];
  readonly plan: RebalancePlan;
}

/** Inputs of a rebalancing step besides the view and the local state. */
export interface StepRules {
  readonly partitions: number;
  readonly memberTimeoutMs: number;
  readonly mayReapOthers: boolean;
  /** A fixed partition set (tests, manual operation) instead of a fair share. */
  readonly pinned?: readonly number[];
}

/**
 * Decides one rebalancing step. Pure. Partitions whose lock is held by anyone else's
 * connection (including a stale member about to be reaped) count as taken; ownership is what
 * pg_locks says, never what the membership rows claim.
 */
export function decideStep(view: FleetView, local: LocalState, rules: StepRules): StepDecision {
  const reap = decideReaping(view, local, rules.memberTimeoutMs, rules.mayReapOthers);
  const lost = lostPartitions(local.owned, view.locks);
  const owned = [...local.owned.keys()].filter((p) => !lost.includes(p));
  const mine = new Set(owned.map((p) => local.owned.get(p)));
  const taken = [...new Set(view.locks.filter((l) => !mine.has(l.pid) && l.partition < rules.partitions).map((l) => l.partition))];
  const plan = rules.pinned
    ? planPinned(rules.pinned, owned, taken)
    : planRebalance({ me: local.me, members: liveMembers(view, local.me, rules.memberTimeoutMs), partitions: rules.partitions, owned, taken });
  return { reap, lost, plan };
}

/** A pinned member takes its partitions when they are free and never gives them up. */
export function planPinned(pinned: readonly number[], owned: readonly number[], taken: readonly number[]): RebalancePlan {
  const busy = new Set([...owned, ...taken]);
  return { release: [], tryAcquire: [...new Set(pinned)].filter((p) => !busy.has(p)).sort((a, b) => a - b) };
}

/** Exponential backoff after `failures` (≥ 1) failed attempts in a row, capped. */
export function retryDelayMs(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(failures - 1, 20)));
}

/** Logs the first failure of a series and every tenth, so an outage does not flood the log. */
export function shouldLogFailure(failures: number): boolean {
  return failures === 1 || failures % 10 === 0;
}
