/** The paired test of IUNet (each ratio) against the dense MLP over a run's shared seeds (and folds), with lib/stats. */
import { foldCount, trainShare, type ModelAggregate, type ModelResult, type PairedComparison, type RunConfig } from '../contract/index.ts'
import { correctedResampledTTest, pairedTTest } from '../lib/stats/index.ts'

const pairKey = (r: ModelResult) => `${r.seed}/${r.fold ?? ''}`

/**
 * Test and training rows of one k-fold resample as shares of the rows, for the corrected resampled t-test: the test
 * part is 1/k; the model fits on the share trainShare says a task trains on.
 */
export function kfoldTestTrainRatio(split: RunConfig['split']): { nTrain: number; nTest: number } {
  return { nTest: 1 / (foldCount({ split }) ?? 1), nTrain: trainShare(split) }
}

export function iunetVsMlp(run: { config: RunConfig; results: ModelResult[]; aggregates: ModelAggregate[] }): PairedComparison[] {
  const baseline = 'mlp' as const
  const base = new Map(run.results.filter((r) => r.model === baseline).map((r) => [pairKey(r), r.accuracy]))
  if (!base.size) return []
  const kfold = !!foldCount(run.config)
  const test = kfold ? ('corrected-resampled-t' as const) : ('paired-t' as const)
  return run.aggregates
    .filter((a) => a.model === 'iunet')
    .map((a) => {
      const mine = run.results
        .filter((r) => r.model === a.model && r.compression === a.compression && base.has(pairKey(r)))
        .sort((x, y) => x.seed - y.seed || (x.fold ?? 0) - (y.fold ?? 0))
      const out: PairedComparison = {
        model: a.model,
        compression: a.compression,
        baseline,
        metric: 'accuracy',
        seeds: mine.map((r) => r.seed),
        test,
        meanDifference: null,
        t: null,
        df: null,
        p: null,
        identical: false
      }
      if (mine.length < 2) return out
      const xs = mine.map((x) => x.accuracy)
      const ys = mine.map((x) => base.get(pairKey(x))!)
      const r = kfold ? correctedResampledTTest(xs, ys, kfoldTestTrainRatio(run.config.split)) : pairedTTest(xs, ys)
      // Equal on every pair: the t statistic is 0/0 (NaN), which JSON cannot carry; said as identical instead.
      if (Number.isNaN(r.p)) return { ...out, meanDifference: r.meanDifference, identical: true }
      return { ...out, meanDifference: r.meanDifference, t: r.statistic, df: r.df, p: r.p }
    })
}
