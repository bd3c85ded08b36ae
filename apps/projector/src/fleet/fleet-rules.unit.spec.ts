import { fairShare } from '@ledgerflow/cdc-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideReaping,
  decideStep,
  liveMembers,
  lostPartitions,
  memberAppName,
  memberOfAppName,
  planPinned,
  retryDelayMs,
  shouldLogFailure,
  type FleetView,
  type LocalState,
  type LockRow,
} from './fleet-rules';

const TIMEOUT = 6000;
const local = (me: string, owned: Array<[number, number]> = [], closing: number[] = []): LocalState => ({ me, owned: new Map(owned), closingPids: new Set(closing) });
const lock = (partition: number, pid: number, memberId?: string): LockRow => ({ partition, pid, memberId });

describe('member application names', () => {
  it('round-trip and ignore everybody else', () => {
    expect(memberAppName('m-1')).toBe('lf-projector:m-1');
    expect(memberOfAppName(memberAppName('m-1'))).toBe('m-1');
    expect(memberOfAppName('ledgerflow-api')).toBeUndefined();
    expect(memberOfAppName(null)).toBeUndefined();
  });
});

describe('liveMembers', () => {
  it('keeps members within the timeout, always includes me, sorted', () => {
    const view: FleetView = { members: [{ memberId: 'c', heartbeatAgeMs: 100 }, { memberId: 'b', heartbeatAgeMs: TIMEOUT + 1 }, { memberId: 'a', heartbeatAgeMs: TIMEOUT }], sessions: [], locks: [] };
    expect(liveMembers(view, 'z', TIMEOUT)).toEqual(['a', 'c', 'z']);
  });
});

describe('decideReaping', () => {
  const view: FleetView = {
    members: [
      { memberId: 'me', heartbeatAgeMs: 10 },
      { memberId: 'live', heartbeatAgeMs: 900 },
      { memberId: 'stale', heartbeatAgeMs: TIMEOUT + 500 },
    ],
    sessions: [
      { pid: 10, memberId: 'me', backendAgeMs: 99_000 },
      { pid: 20, memberId: 'live', backendAgeMs: 99_000 },
      { pid: 30, memberId: 'stale', backendAgeMs: 99_000 },
      { pid: 31, memberId: 'stale', backendAgeMs: 10 },
      { pid: 40, memberId: 'ghost', backendAgeMs: TIMEOUT + 1 },
      { pid: 50, memberId: 'newcomer', backendAgeMs: 200 },
    ],
    locks: [lock(0, 11, 'me'), lock(1, 12, 'me'), lock(2, 13, 'me'), lock(3, 30, 'stale')],
  };

  it('fences stale members (all their connections) and old connections of unknown members', () => {
    const reap = decideReaping(view, local('me', [[0, 11]], [12]), TIMEOUT, true);
    expect(reap.staleMembers).toEqual(['stale']);
    // 13 is a lock connection of mine that I no longer track: a stray.
    expect(reap.pids).toEqual([13, 30, 31, 40]);
  });

  it('leaves the others alone while my own heartbeat is not steady, but still cleans my strays', () => {
    expect(decideReaping(view, local('me', [[0, 11]], [12]), TIMEOUT, false)).toEqual({ staleMembers: [], pids: [13] });
  });

  it('never touches live members, young unknown connections, or my tracked connections', () => {
    const reap = decideReaping(view, local('me', [[0, 11], [1, 12], [2, 13]]), TIMEOUT, true);
    expect(reap.pids).not.toContain(20);
    expect(reap.pids).not.toContain(50);
    expect(reap.pids.filter((p) => p >= 10 && p < 20)).toEqual([]);
  });
});

describe('lostPartitions', () => {
  it('is every owned partition the server does not show locked by my connection', () => {
    const owned = new Map([
      [0, 100],
      [1, 101],
      [2, 102],
    ]);
    expect(lostPartitions(owned, [lock(0, 100, 'me'), lock(1, 999, 'other')])).toEqual([1, 2]);
  });
});

describe('decideStep', () => {
  it('plans towards the fair share, with the partitions other connections hold as taken', () => {
    const view: FleetView = {
      members: [
        { memberId: 'a', heartbeatAgeMs: 10 },
        { memberId: 'b', heartbeatAgeMs: 10 },
      ],
      sessions: [],
      locks: [lock(0, 1, 'a'), lock(1, 1, 'a'), lock(2, 2, 'a'), lock(3, 2, 'a'), lock(4, 3, 'a')],
    };
    const step = decideStep(view, local('c'), { partitions: 8, memberTimeoutMs: TIMEOUT, mayReapOthers: true });
    expect(step.lost).toEqual([]);
    expect(step.plan.release).toEqual([]);
    expect([...step.plan.tryAcquire].sort()).toEqual([5, 6]);
    expect(step.plan.tryAcquire).toHaveLength(fairShare(['a', 'b', 'c'], 'c', 8));
  });

  it('does not count a lost partition as owned, nor a stale member as a member', () => {
    const view: FleetView = {
      members: [{ memberId: 'old', heartbeatAgeMs: TIMEOUT * 2 }],
      sessions: [{ pid: 7, memberId: 'old', backendAgeMs: 50_000 }],
      locks: [lock(1, 7, 'old')],
    };
    const step = decideStep(view, local('me', [[0, 5]]), { partitions: 2, memberTimeoutMs: TIMEOUT, mayReapOthers: true });
    expect(step.lost).toEqual([0]);
    expect(step.reap).toEqual({ staleMembers: ['old'], pids: [7] });
    // Share 2 of 2 for me alone; 1 is still locked until the stale member is reaped.
    expect(step.plan).toEqual({ release: [], tryAcquire: [0] });
  });

  it('pins a member to its partitions when asked', () => {
    const view: FleetView = { members: [], sessions: [], locks: [lock(0, 5, 'me'), lock(2, 9, 'x')] };
    const step = decideStep(view, local('me', [[0, 5]]), { partitions: 4, memberTimeoutMs: TIMEOUT, mayReapOthers: false, pinned: [2, 1, 0] });
    expect(step.plan).toEqual({ release: [], tryAcquire: [1] });
    expect(planPinned([3, 3], [], [])).toEqual({ release: [], tryAcquire: [3] });
  });

  it('converges with members joining, stalling and being reaped, through a simulated server', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 24 }), fc.array(fc.nat(), { maxLength: 30 }), fc.nat(), (n, partitions, order, stallPick) => {
        const sim = new SimulatedFleet(partitions);
        const members = Array.from({ length: n }, (_, i) => `m${i}`);
        for (const i of order) sim.step(members[i % n]!);
        // One member stalls while holding partitions; time passes; the others reap it.
        const stalled = n > 1 ? members[stallPick % n]! : undefined;
        if (stalled) sim.stall(stalled);
        const alive = members.filter((m) => m !== stalled);
        for (let round = 0; round < 4; round++) for (const m of alive) sim.step(m);
        expect(sim.lockCount()).toBe(partitions);
        for (const m of alive) expect(sim.ownedBy(m)).toHaveLength(fairShare(alive, m, partitions));
      }),
    );
  });
});

/** A server with rows, sessions (pid per lock) and advisory locks, and members that apply decideStep. */
class SimulatedFleet {
  readonly #ages = new Map<string, number>();
  readonly #locks = new Map<number, { pid: number; member: string }>();
  readonly #partitions: number;
  #nextPid = 1;

  constructor(partitions: number) {
    this.#partitions = partitions;
  }

  step(me: string): void {
    this.#ages.set(me, 0);
    const view: FleetView = {
      members: [...this.#ages].map(([memberId, heartbeatAgeMs]) => ({ memberId, heartbeatAgeMs })),
      sessions: [...this.#locks.values()].map((l) => ({ pid: l.pid, memberId: l.member, backendAgeMs: 60_000 })),
      locks: [...this.#locks].map(([partition, l]) => lock(partition, l.pid, l.member)),
    };
    const owned = [...this.#locks].filter(([, l]) => l.member === me).map(([p, l]): [number, number] => [p, l.pid]);
    const step = decideStep(view, local(me, owned), { partitions: this.#partitions, memberTimeoutMs: TIMEOUT, mayReapOthers: true });
    for (const pid of step.reap.pids) for (const [p, l] of this.#locks) if (l.pid === pid) this.#locks.delete(p);
    for (const m of step.reap.staleMembers) this.#ages.delete(m);
    if (step.reap.pids.length > 0) return; // the real member reads again; the next step will do
    for (const p of step.plan.release) this.#locks.delete(p);
    for (const p of step.plan.tryAcquire) if (!this.#locks.has(p)) this.#locks.set(p, { pid: this.#nextPid++, member: me });
  }

  stall(member: string): void {
    this.#ages.set(member, TIMEOUT + 1);
  }

  lockCount(): number {
    return this.#locks.size;
  }

  ownedBy(member: string): number[] {
    return [...this.#locks].filter(([, l]) => l.member === member).map(([p]) => p);
  }
}

describe('retries', () => {
  it('back off exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5, 50].map((n) => retryDelayMs(n, 1000, 5000))).toEqual([1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('log the first failure and every tenth', () => {
    expect([1, 2, 9, 10, 11, 20].map(shouldLogFailure)).toEqual([true, false, false, true, false, true]);
  });
});
