/**
 * How many completed batch jobs each partition queue keeps, for one purpose: a replay from the
 * slot must find its jobs' ids taken, so it adds nothing (the version guard would make the
 * re-added jobs no-ops, but they would be projected again). Ingest acknowledges after every
 * flush, so a replay covers at most the flush in flight when it stopped and the one before
 * (whose acknowledgement may not have reached the server), each at most `maxPendingEvents`
 * events, cut into jobs of at most `maxEventsPerJob`: at most 2 × ⌈maxPendingEvents /
 * maxEventsPerJob⌉ jobs of one partition. Twice that is kept, and never fewer than 16.
 *
 * Why not "an hour of jobs", as before: a completed job keeps its whole payload, so that
 * retention grew with throughput (≈ 10 MB/s of Redis memory at 20,000 events/s here, gigabytes an
 * hour); this one is bounded by the settings. Jobs only leave the set when later ones complete,
 * so however long ingest stays down, the last ones it published are still there when it replays.
 */
export function completedJobsToKeep(maxPendingEvents: number, maxEventsPerJob: number): number {
  return Math.max(16, 4 * Math.ceil(maxPendingEvents / maxEventsPerJob));
}

/** Upper age bound of a kept completed job, in seconds: past it, dedupe is not worth memory. */
export const COMPLETED_JOB_MAX_AGE_SECONDS = 3600;
