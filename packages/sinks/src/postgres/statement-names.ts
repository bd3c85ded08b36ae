/** When a connection starts preparing a statement text, and how many it keeps. */
export interface StatementNamePolicy {
  /** A text is prepared on its `prepareAfter`-th use (1 = at once); one-off texts stay unnamed. */
  readonly prepareAfter: number;
  /** At most this many prepared statements per connection; later texts run unnamed. */
  readonly maxPrepared: number;
  /** At most this many not-yet-prepared texts are counted (bounds memory under ad-hoc SQL). */
  readonly maxTracked: number;
}

/**
 * The projector's hot statements are few, and their text never changes with the batch size
 * (unnest arrays). Prepared, they skip the parse and plan of every execution: on this machine
 * that halved the server CPU of a small batch (decision 010).
 */
export const DEFAULT_STATEMENT_NAME_POLICY: StatementNamePolicy = Object.freeze({ prepareAfter: 2, maxPrepared: 32, maxTracked: 256 });

/**
 * Decides which statement texts of ONE connection run as named (server-side prepared)
 * statements, and under which name. Pure bookkeeping, no I/O: the caller passes the name to
 * the driver. A name, once given, always maps to the same text, as the server requires;
 * nothing is ever deallocated (the caps bound what the server holds).
 */
export class StatementNames {
  readonly #policy: StatementNamePolicy;
  readonly #named = new Map<string, string>();
  readonly #uses = new Map<string, number>();

  constructor(policy: StatementNamePolicy = DEFAULT_STATEMENT_NAME_POLICY) {
    if (!Number.isInteger(policy.prepareAfter) || policy.prepareAfter < 1) throw new RangeError(`prepareAfter must be a whole number ≥ 1, got ${policy.prepareAfter}`);
    if (!Number.isInteger(policy.maxPrepared) || policy.maxPrepared < 0) throw new RangeError(`maxPrepared must be a whole number ≥ 0, got ${policy.maxPrepared}`);
    if (!Number.isInteger(policy.maxTracked) || policy.maxTracked < 0) throw new RangeError(`maxTracked must be a whole number ≥ 0, got ${policy.maxTracked}`);
    this.#policy = policy;
  }

  /** How many names have been given. */
  get prepared(): number {
    return this.#named.size;
  }

  /** Records one use of `text`; returns its statement name once it is to run prepared. */
  nameFor(text: string): string | undefined {
    const name = this.#named.get(text);
    if (name !== undefined) return name;
    if (this.#named.size >= this.#policy.maxPrepared) return undefined;
    const uses = (this.#uses.get(text) ?? 0) + 1;
    if (uses < this.#policy.prepareAfter) {
      if (this.#uses.has(text) || this.#uses.size < this.#policy.maxTracked) this.#uses.set(text, uses);
      return undefined;
    }
    this.#uses.delete(text);
    const given = `lf_${this.#named.size + 1}`;
    this.#named.set(text, given);
    return given;
  }
}
