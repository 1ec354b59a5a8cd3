/**
 * What a comparison's means are over, in words, from the contract's run shape: "2 seeds × 3 folds", n, and the
 * paired test that fits (DOM-free). Never counted here: runShape owns the count, this only phrases it.
 */
import { foldCount, pairedTestName, replicatesText, runShape, type RunConfig, type StudySpec } from '@contract'

export interface Replicates {
  /** "3 seeds" or "2 seeds × 3 folds". */
  text: string
  /** Replicates the run plans per (model, ratio): seeds × folds. */
  planned: number
  /** Folds per seed, or null without k-fold. */
  folds: number | null
  test: ReturnType<typeof pairedTestName>
}

export function replicatesOf(config: RunConfig): Replicates {
  return { text: replicatesText(config), planned: runShape(config).replicates, folds: foldCount(config), test: pairedTestName(config) }
}

/**
 * "mean ± std over 2 seeds × 3 folds (n = 6)" when every run agrees, else "over each run's seeds (× folds); n per
 * row"; n is what finished (a run still training has fewer).
 */
export function overText(rows: readonly { replicates: Replicates | null; n: number }[]): string {
  const known = rows.filter((r) => r.replicates)
  const texts = new Set(known.map((r) => r.replicates!.text))
  const ns = new Set(rows.filter((r) => r.n > 0).map((r) => r.n))
  if (texts.size === 1 && ns.size <= 1) {
    const n = [...ns][0] ?? known[0]!.replicates!.planned
    return `mean ± std over ${[...texts][0]} (n = ${n})`
  }
  return known.some((r) => r.replicates!.folds) ? 'mean ± std over each run’s seeds (× folds); n per row' : 'mean ± std over each run’s seeds; n per row'
}

/** The tests that fit the rows' runs, named once each: "paired t-test", "corrected resampled t-test". */
export function testsOf(rows: readonly { replicates: Replicates | null }[]): string[] {
  return [...new Set(rows.flatMap((r) => (r.replicates ? [r.replicates.test] : [])))]
}

/**
 * What a study's matrix means are over: "2 seeds" or "2 seeds × 5 folds" when the spec sets k-fold for every cell,
 * "each cell's seeds (× folds)" when k is swept.
 */
export function studyReplicatesText(spec: Pick<StudySpec, 'seeds' | 'settings' | 'grid'>): string {
  if ('split.kfold' in spec.grid) return `each cell’s ${spec.seeds === 1 ? 'seed' : `${spec.seeds} seeds`} × its folds`
  const split = spec.settings.split as { kfold?: unknown } | undefined
  const kfold = typeof split?.kfold === 'number' ? split.kfold : null
  return replicatesText({ seeds: spec.seeds, split: { kfold } })
}
