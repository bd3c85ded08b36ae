import type { Logger } from 'pino';
import type { IngestCounters } from './counters';
import type { RefillProgress } from './refill';

/** Pause before a repair that failed (PostgreSQL or Redis went away again) is tried again. */
const RETRY_PAUSE_MS = 1000;

/** The crash marker (migration 0006): gone after a crash, set again once repaired. */
export interface CrashMarker {
  present(): Promise<boolean>;
  set(): Promise<void>;
}

/** What the repair needs. */
export interface CrashRepairDeps {
  readonly marker: CrashMarker;
  /** Enqueues the unapplied events of the window under job ids ending in `jobIdSuffix` (refill.ts). */
  readonly refill: (progress: RefillProgress, shouldContinue: () => Promise<boolean>, jobIdSuffix: string) => Promise<boolean>;
  /** The store's highest global position: the end of the repair, read after the crash. */
  readonly maxPosition: () => Promise<bigint>;
  readonly counters: IngestCounters;
  readonly logger: Logger;
  /** A fresh job id suffix per repair (default: `c` + the time in base 36). */
  readonly newSuffix?: () => string;
  /** Called when a repair has run to the end (the metric). */
  readonly onRepaired?: () => void;
  /** Pause before a failed repair is tried again (ms). @defaultValue 1000 */
  readonly retryPauseMs?: number;
}

/**
 * Repairs the read models after a PostgreSQL crash (decision 015). Projector writes commit
 * asynchronously: a crash can lose the last of them after their jobs were completed, and no
 * job would ever bring those events again. The crash empties the marker (migration 0006);
 * a session that starts after it finds the marker gone and enqueues every event the read
 * models have not applied — under new job ids, since the completed jobs of those very events
 * may still be kept in Redis and would swallow jobs with the same ids. Only then is the marker
 * set again: an ingest stopped halfway, or a second crash, leaves it unset, and the next
 * session repairs from the start (duplicates are no-ops under the version guard).
 *
 * The window ends at the highest position read after the crash, which covers every event
 * committed before it; events committed later reach Redis through the stream.
 */
export class CrashRepair {
  #running: Promise<void> | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;

  constructor(private readonly deps: CrashRepairDeps) {}

  /**
   * Call at every session start (a crash always ends the session: the walsender dies with the
   * server). Reads the marker; if it is gone, starts the repair in the background, unless one
   * is running already. Throws if PostgreSQL cannot be read (the session fails and is retried).
   */
  async check(): Promise<void> {
    if (this.#running || this.#stopped) return;
    if (await this.deps.marker.present()) return;
    this.deps.counters.postgresCrashes++;
    this.deps.logger.warn('PostgreSQL crashed since the crash marker was set; re-enqueueing the events the read models have not applied');
    this.#running = this.#repairUntilDone().finally(() => (this.#running = undefined));
  }

  /** Stops; a repair in progress stops after its current page (the marker stays unset, so the next ingest repairs). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#running;
  }

  async #repairUntilDone(): Promise<void> {
    while (!this.#stopped) {
      try {
        if (await this.#repair()) return;
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'crash repair failed; trying again');
      }
      await this.#pause();
    }
  }

  async #repair(): Promise<boolean> {
    const { marker, counters, logger } = this.deps;
    const suffix = (this.deps.newSuffix ?? (() => `c${Date.now().toString(36)}`))();
    const progress = { after: 0n, upTo: await this.deps.maxPosition() };
    const startedAt = Date.now();
    const before = counters.refillEvents;
    if (!(await this.deps.refill(progress, async () => !this.#stopped, suffix))) return false;
    await marker.set();
    counters.crashRepairs++;
    this.deps.onRepaired?.();
    logger.info({ events: counters.refillEvents - before, upTo: progress.upTo.toString(), ms: Date.now() - startedAt }, 'crash repair done; crash marker set');
    return true;
  }

  async #pause(): Promise<void> {
    if (this.#stopped) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.deps.retryPauseMs ?? RETRY_PAUSE_MS);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
  }
}
