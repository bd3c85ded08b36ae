/**
 * How many of `partitions` partitions member `me` should own when `members` (including me)
 * are alive: an even split, the remainder going to the members that sort first. Every member
 * computes the same answer from the same membership, with no coordinator.
 */
export function fairShare(members: readonly string[], me: string, partitions: number): number {
  const sorted = [...new Set([...members, me])].sort();
  const index = sorted.indexOf(me);
  const base = Math.floor(partitions / sorted.length);
  return base + (index < partitions % sorted.length ? 1 : 0);
}

/** What a member should do next to reach its fair share. */
export interface RebalancePlan {
  /** Partitions to hand back (drain, then unlock): the highest-numbered beyond the share. */
  readonly release: number[];
  /** Free partitions to try to take, in the order to try them. */
  readonly tryAcquire: number[];
}

/**
 * Plans one rebalancing step. Pure. `owned` are my partitions, `taken` the partitions other
 * members hold. I release what exceeds my share, or try to take free partitions up to it,
 * starting at an offset derived from my rank so that members joining together do not all race
 * for partition 0.
 */
export function planRebalance(input: { me: string; members: readonly string[]; partitions: number; owned: readonly number[]; taken: readonly number[] }): RebalancePlan {
  const share = fairShare(input.members, input.me, input.partitions);
  const owned = [...new Set(input.owned)].sort((a, b) => a - b);
  if (owned.length > share) return { release: owned.slice(share).reverse(), tryAcquire: [] };
  const busy = new Set([...owned, ...input.taken]);
  const free: number[] = [];
  const rank = [...new Set([...input.members, input.me])].sort().indexOf(input.me);
  const offset = Math.floor((rank * input.partitions) / Math.max(1, input.members.length));
  for (let i = 0; i < input.partitions; i++) {
    const p = (offset + i) % input.partitions;
    if (!busy.has(p)) free.push(p);
  }
  return { release: [], tryAcquire: free.slice(0, share - owned.length) };
}
