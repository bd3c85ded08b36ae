/**
 * One committed row of the `events` table, as every stage after the event store sees it.
 * `data` and `metadata` stay JSON text until the stage that needs them parses them: ingest only
 * routes events, so it never pays for parsing their payloads.
 */
export interface StoredEvent {
  /** `events.global_position`, unique and increasing in insertion order (not commit order). */
  readonly position: bigint;
  readonly eventId: string;
  /** The account the event belongs to. */
  readonly streamId: string;
  /** 1, 2, 3 … per stream. */
  readonly version: number;
  readonly type: string;
  /** JSON text of `events.data`. */
  readonly data: string;
  /** JSON text of `events.metadata`. */
  readonly metadata: string;
  /** `events.created_at` as an ISO-8601 string. */
  readonly createdAt: string;
  /**
   * When the writing transaction committed (ms since the epoch), if the source knows it
   * (logical replication does; a table scan does not). Used for commit-to-projection lag.
   */
  readonly committedAtMs?: number;
}

/** Orders events of one stream by version. */
export function byVersion(a: StoredEvent, b: StoredEvent): number {
  return a.version - b.version;
}

/** Orders events by global position. */
export function byPosition(a: StoredEvent, b: StoredEvent): number {
  return a.position < b.position ? -1 : a.position > b.position ? 1 : 0;
}
