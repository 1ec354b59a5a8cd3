/** Multiple comparisons: Holm's step-down correction and win/tie/loss counts. */

export interface HolmResult {
  /** Holm-adjusted p-values, in the input order (compare each with α). */
  adjusted: number[]
  /** Rejected at α (adjusted p ≤ α). */
  reject: boolean[]
}

/** Holm (1979): sort p ascending, adjusted p_(i) = max_{j ≤ i} min(1, (m − j + 1) p_(j)). */
export function holm(pValues: readonly number[], alpha = 0.05): HolmResult {
  const m = pValues.length
  const order = pValues.map((_, i) => i).sort((i, j) => pValues[i]! - pValues[j]!)
  const adjusted = new Array<number>(m)
  let running = 0
  order.forEach((idx, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[idx]!))
    adjusted[idx] = running
  })
  return { adjusted, reject: adjusted.map((p) => p <= alpha) }
}

export interface WinTieLoss {
  wins: number
  ties: number
  losses: number
}

/**
 * Counts, pair by pair (datasets or seeds), how often a beats b. |a − b| ≤ tolerance is a tie.
 * `higherIsBetter` false for errors/losses.
 */
export function winTieLoss(a: readonly number[], b: readonly number[], options: { tolerance?: number; higherIsBetter?: boolean } = {}): WinTieLoss {
  if (a.length !== b.length) throw new RangeError(`paired samples must have the same length (${a.length} vs ${b.length})`)
  const tol = options.tolerance ?? 0
  const sign = options.higherIsBetter === false ? -1 : 1
  const out = { wins: 0, ties: 0, losses: 0 }
  a.forEach((x, i) => {
    const d = sign * (x - b[i]!)
    if (Math.abs(d) <= tol) out.ties++
    else if (d > 0) out.wins++
    else out.losses++
  })
  return out
}
