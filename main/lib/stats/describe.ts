/** Descriptive helpers shared by the tests in this folder. */

export function mean(xs: readonly number[]): number {
  let s = 0
  for (const x of xs) s += x
  return s / xs.length
}

/** Sample variance (n − 1 in the denominator), two-pass for accuracy. */
export function variance(xs: readonly number[]): number {
  const m = mean(xs)
  let s = 0
  for (const x of xs) s += (x - m) * (x - m)
  return s / (xs.length - 1)
}

export function differences(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new RangeError(`paired samples must have the same length (${a.length} vs ${b.length})`)
  return a.map((x, i) => x - b[i]!)
}

/**
 * Ranks 1..n of `xs`, ascending, ties get the average of the ranks they span (SciPy `rankdata(method='average')`).
 */
export function rankAverage(xs: readonly number[]): number[] {
  const order = xs.map((_, i) => i).sort((i, j) => xs[i]! - xs[j]!)
  const ranks = new Array<number>(xs.length)
  for (let start = 0; start < order.length;) {
    let end = start + 1
    while (end < order.length && xs[order[end]!] === xs[order[start]!]) end++
    const r = (start + 1 + end) / 2 // average of ranks start+1 … end
    for (let i = start; i < end; i++) ranks[order[i]!] = r
    start = end
  }
  return ranks
}

/** Sizes of the groups of equal values (only groups of 2 or more). */
export function tieGroups(xs: readonly number[]): number[] {
  const counts = new Map<number, number>()
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1)
  return [...counts.values()].filter((c) => c > 1)
}
