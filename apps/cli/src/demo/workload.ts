import { seededRandom, zipfSampler } from './zipf';

/** One banking command of the demo workload; accounts are indexes into the created accounts. */
export type Operation =
  | { readonly kind: 'deposit'; readonly account: number; readonly amountCents: bigint }
  | { readonly kind: 'withdraw'; readonly account: number; readonly amountCents: bigint }
  | { readonly kind: 'transfer'; readonly from: number; readonly to: number; readonly amountCents: bigint }
  | { readonly kind: 'close'; readonly account: number };

export interface WorkloadOptions {
  readonly accounts: number;
  readonly seed: number;
  /** Zipf exponent of account popularity. @defaultValue 1.1 */
  readonly skew?: number;
  /** Fraction of operations that close an account. @defaultValue 0.002 */
  readonly closeRate?: number;
}

/**
 * An endless, reproducible stream of commands: 55% deposits, 30% withdrawals, the rest
 * transfers and a few closures, over Zipf-skewed accounts. Closures pick accounts uniformly so
 * the hottest accounts stay open; amounts are whole cents drawn as integers (never floats).
 */
export function* workload(options: WorkloadOptions): Generator<Operation, never> {
  const random = seededRandom(options.seed);
  const rank = zipfSampler(options.accounts, options.skew ?? 1.1, random);
  // Hot ranks map to shuffled account indexes, so popularity is not creation order.
  const byRank = Array.from({ length: options.accounts }, (_, i) => i);
  for (let i = byRank.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [byRank[i], byRank[j]] = [byRank[j]!, byRank[i]!];
  }
  const pick = () => byRank[rank()]!;
  const cents = (max: number) => BigInt(1 + Math.floor(random() * max));
  const closeRate = options.closeRate ?? 0.002;
  for (;;) {
    const r = random();
    if (r < closeRate) yield { kind: 'close', account: Math.floor(random() * options.accounts) };
    else if (r < 0.55) yield { kind: 'deposit', account: pick(), amountCents: cents(50_000) };
    else if (r < 0.85) yield { kind: 'withdraw', account: pick(), amountCents: cents(30_000) };
    else {
      const from = pick();
      let to = pick();
      if (to === from) to = (to + 1) % options.accounts;
      yield { kind: 'transfer', from, to, amountCents: cents(20_000) };
    }
  }
}
