import { LedgerflowError, commitTimeToMs, decodeEventRow, type StoredEvent } from '@ledgerflow/cdc-core';
import type { Pgoutput } from 'pg-logical-replication';
import type { IngestCounters } from './counters';
import { parseLsn } from './lsn';
import type { TransactionBuffer } from './transaction-buffer';

/** Hears what the router reads (IngestMetrics). */
export interface RouterObserver {
  /** An event was decoded. */
  read(event: StoredEvent): void;
  /** A commit was read: WAL up to `endPosition` has been received. */
  walRead(endPosition: bigint): void;
}

const NO_OBSERVER: RouterObserver = { read: () => undefined, walRead: () => undefined };

/** A change to `events` other than an insert: it never produces a job. */
export interface NonInsertChange {
  readonly kind: 'update' | 'delete' | 'truncate';
  readonly relation: string;
}

/**
 * Turns pgoutput messages into buffered events: inserts into `events` are decoded with their
 * transaction's commit time, commits close the transaction, and anything that changes
 * `events` another way is counted and reported (the event store is append-only, so it is a
 * sign of tampering or a manual fix, worth a warning but not worth stopping for).
 * Throws CDC_DECODE_FAILED on a row it cannot route.
 */
export class ChangeRouter {
  #commitTimeMs: number | undefined;
  #inTransaction = false;

  constructor(
    private readonly buffer: TransactionBuffer,
    private readonly counters: IngestCounters,
    private readonly onNonInsert: (change: NonInsertChange) => void,
    private readonly observer: RouterObserver = NO_OBSERVER,
    private readonly table = 'events',
  ) {}

  /** Applies one message; `nowMs` is the local clock (for the flush interval). */
  apply(message: Pgoutput.Message, nowMs: number): void {
    switch (message.tag) {
      case 'begin':
        this.#commitTimeMs = commitTimeToMs(message.commitTime as bigint);
        this.#inTransaction = true;
        return;
      case 'insert':
        if (!this.isEventsTable(message.relation)) return;
        const event = decodeEventRow(message.new, this.#commitTimeMs);
        this.buffer.add(event);
        this.counters.eventsRead++;
        this.observer.read(event);
        return;
      case 'commit':
        if (message.commitEndLsn === null) throw new LedgerflowError('CDC_DECODE_FAILED', 'pgoutput commit without an end LSN');
        const end = parseLsn(message.commitEndLsn);
        this.buffer.commit(end, nowMs);
        this.observer.walRead(end);
        this.counters.transactions++;
        this.#commitTimeMs = undefined;
        this.#inTransaction = false;
        return;
      case 'update':
      case 'delete':
        if (this.isEventsTable(message.relation)) this.nonInsert(message.tag, message.relation);
        return;
      case 'truncate':
        for (const relation of message.relations) if (this.isEventsTable(relation)) this.nonInsert('truncate', relation);
        return;
      default:
        // relation, type, origin and logical messages carry no rows.
        return;
    }
  }

  /** True between a transaction's begin and its commit. */
  get inTransaction(): boolean {
    return this.#inTransaction;
  }

  private isEventsTable(relation: Pgoutput.MessageRelation): boolean {
    return relation.name === this.table;
  }

  private nonInsert(kind: NonInsertChange['kind'], relation: Pgoutput.MessageRelation): void {
    this.counters.nonInsertChanges++;
    this.onNonInsert({ kind, relation: `${relation.schema}.${relation.name}` });
  }
}
