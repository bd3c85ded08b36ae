/**
 * The Redis sentinel that tells ingest whether Redis still holds what it was given. Pure: the
 * guard reads the key and does what these functions say.
 *
 * The key `<prefix>:ingest-epoch` holds either an epoch (a random id: "Redis is intact since
 * this ingest wrote it") or a refill marker `refill:<epoch>` ("Redis lost jobs; the refill
 * from PostgreSQL has not finished"). Every write is a compare-and-set against the value last
 * seen, so a write can never paper over a loss that happened after the read. The marker is
 * written *before* the refill and swapped for its epoch only after it, so that
 *  - a second loss during the refill removes the marker, the swap fails, and the refill runs
 *    again (writing the sentinel only after the refill would hide that loss), and
 *  - an ingest that dies mid-refill leaves the marker, and the next one refills again.
 */

const REFILL_PREFIX = 'refill:';

/** The sentinel key of a BullMQ prefix (queues live under `<prefix>:p<n>:…`, so no clash). */
export function sentinelKey(redisPrefix: string): string {
  return `${redisPrefix}:ingest-epoch`;
}

/** The marker value of a refill that will end with `epoch`. */
export function refillMarker(epoch: string): string {
  return `${REFILL_PREFIX}${epoch}`;
}

/** The epoch a refill marker turns into once the refill is done. */
export function epochOfMarker(marker: string): string {
  return marker.startsWith(REFILL_PREFIX) ? marker.slice(REFILL_PREFIX.length) : marker;
}

export function isRefillMarker(value: string): boolean {
  return value.startsWith(REFILL_PREFIX);
}

export type StartAction =
  /** A previous ingest left Redis intact: take the sentinel over with a fresh epoch. */
  | 'adopt'
  /** Nothing to repair (catch-up will enqueue every event anyway): write a fresh epoch. */
  | 'mark-intact'
  /** Redis lost jobs while no ingest was watching, or a refill was cut short: refill. */
  | 'begin-refill';

/**
 * Decides at start-up, before anything is enqueued. A missing key with an existing slot means
 * Redis lost its keys while ingest was down (or this prefix is new): events acknowledged to
 * the slot earlier may be gone, so refill. When catch-up is about to start from position 0, it
 * enqueues every stored event by itself, which makes a refill redundant.
 */
export function decideAtStart(observed: string | null, catchUpFromScratch: boolean): StartAction {
  if (observed !== null && !isRefillMarker(observed)) return 'adopt';
  return catchUpFromScratch ? 'mark-intact' : 'begin-refill';
}

export type CheckAction =
  /** The sentinel is as this ingest left it and no refill is pending. */
  | 'ok'
  /** Our marker is still there but its refill has not finished (it failed or was stopped): resume it. */
  | 'continue-refill'
  /** The sentinel is missing or not ours: Redis lost keys since the last check. */
  | 'begin-refill';

/** Decides after each periodic read of the sentinel. */
export function decideOnCheck(observed: string | null, expected: string, refillPending: boolean): CheckAction {
  if (observed !== expected) return 'begin-refill';
  return refillPending ? 'continue-refill' : 'ok';
}
