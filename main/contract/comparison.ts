/**
 * IUNet against the dense MLP within one run, in words: the services compute the test (PairedComparison in
 * results.ts, with lib/stats) and carry it on RunDetail; the CLI and Compare say it in these same words.
 */
import { pointsDiff, pValue } from './format.ts'
import type { PairedComparison } from './results.ts'
import { MODEL_LABELS } from './runConfig.ts'
import { modelAtRatio } from './runShape.ts'

export const TEST_NAMES: Record<PairedComparison['test'], string> = { 'paired-t': 'paired t-test', 'corrected-resampled-t': 'corrected resampled t-test' }

/** "IUNet (pruned) 1/8 vs Dense MLP: +0.6 pts accuracy over 5 paired seeds, t(4) = 0.51, p = 0.6371 (paired t-test, two-sided): not significant at α = 0.05." */
export function describeComparison(c: PairedComparison, alpha = 0.05): string {
  const name = `${modelAtRatio(c.model, c.compression)} vs ${MODEL_LABELS[c.baseline]}`
  const diff = `${pointsDiff(c.meanDifference)} accuracy`
  if (c.identical) return `${name}: ${diff}, identical on all ${c.seeds.length} ${c.test === 'paired-t' ? 'seeds' : 'folds'}.`
  if (c.p === null) return `${name}: the ${TEST_NAMES[c.test]} needs ≥ 2 seeds both finished (have ${c.seeds.length}); use --seeds 3 or more.`
  const verdict = c.p < alpha ? `significant at α = ${alpha}` : `not significant at α = ${alpha}`
  const what = c.test === 'paired-t' ? `${c.seeds.length} paired seeds` : `${c.seeds.length} paired folds`
  return `${name}: ${diff} over ${what}, t(${c.df}) = ${c.t!.toFixed(2)}, p = ${pValue(c.p)} (${TEST_NAMES[c.test]}, two-sided): ${verdict}.`
}
