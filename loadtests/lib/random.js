/** Random choices for the workload mix. Pure (no k6 imports), so the API test suite can load it. */

/** Picks a key of `weights` ({ name: weight }) with probability proportional to its weight. */
export function pickWeighted(random, weights) {
  const entries = Object.entries(weights);
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [name, weight] of entries) {
    roll -= weight;
    if (roll < 0) return name;
  }
  return entries[entries.length - 1][0];
}

/** Two distinct indexes in [0, n), n ≥ 2 (a transfer to the same account is a 422). */
export function pickTwoDistinct(random, n) {
  const first = Math.floor(random() * n);
  const second = (first + 1 + Math.floor(random() * (n - 1))) % n;
  return [first, second];
}
