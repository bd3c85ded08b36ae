/**
 * Maps a stream (account) id to one of `partitions` partitions with 32-bit FNV-1a over the
 * lower-cased id. Stable across processes, releases and languages: the partition of an
 * account must never change while events for it are in flight, or per-account order breaks.
 */
export function partitionOf(streamId: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
  let hash = 0x811c9dc5;
  const id = streamId.toLowerCase();
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
