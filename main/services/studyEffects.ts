/**
 * What a study's grid says, read two ways:
 * - grid effects: for each model at each ratio, every grid point's mean difference to the baseline (with wins,
 *   ties and losses over datasets), its average rank among the model's grid points, and each setting's marginal
 *   effect (a value's effect averaged over the other settings' values);
 * - the tuned comparison: each model's setting chosen per dataset, seed and fold by its validation score, its test
 *   score reported, and the tuned models compared with the same statistics as any variants (studyCompare.ts).
 * Pure.
 */
import {
  METRIC_WORDS,
  MODEL_LABELS,
  RECIPES,
  canonicalJson,
  modelAtRatio,
  normalizeGridValue,
  relevantGrid,
  settingWord,
  type GridEffect,
  type GridEffectPoint,
  type ModelKind,
  type StudyMetric,
  type StudyVariant,
  type TunedComparison,
  type TunedVariant
} from '../contract/index.ts'
import { averageRanks, winTieLoss } from '../lib/stats/index.ts'
import { compareVariants, meansOf, type Replicates } from './studyCompare.ts'

const mean = (xs: readonly number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null)

/** The baseline variant a point of `model` is measured against: the baseline model at the same relevant settings. */
function baselineFor(variants: readonly StudyVariant[], baseline: ModelKind, v: StudyVariant): number | null {
  const grid = canonicalJson(relevantGrid(baseline, v.grid))
  const compression = RECIPES[baseline].prune ? v.compression : 1
  const exact = variants.findIndex((b) => b.model === baseline && b.compression === compression && canonicalJson(b.grid) === grid)
  if (exact >= 0) return exact
  const any = variants.findIndex((b) => b.model === baseline)
  return any >= 0 ? any : null
}

export function gridEffects(input: {
  variants: readonly StudyVariant[]
  values: number[][][]
  grid: Record<string, readonly unknown[]>
  baseline: ModelKind
  datasets: number
}): GridEffect[] {
  const { variants, baseline } = input
  const matrix = meansOf(input.values)
  const out: GridEffect[] = []
  const families = new Map<string, number[]>()
  variants.forEach((v, j) => {
    const key = `${v.model}@${v.compression}`
    families.set(key, [...(families.get(key) ?? []), j])
  })
  for (const members of families.values()) {
    const first = variants[members[0]!]!
    // The settings that vary for this model; the ratio is the family's own, so compressions is not one of them.
    const settings = Object.keys(input.grid)
      .filter((s) => s !== 'compressions' && s in relevantGrid(first.model, { [s]: 0 }))
      .map((name) => ({ name, values: input.grid[name]!.map((x) => normalizeGridValue(name, x)) }))
    if (!settings.length || members.length < 2) continue
    const pointGrid = (j: number) => Object.fromEntries(settings.map((s) => [s.name, variants[j]!.grid[s.name]]))
    // One point per distinct setting combination (two cells with different ratio lists can give the same one).
    const seen = new Set<string>()
    const pointsOf = members.filter((j) => {
      const k = canonicalJson(pointGrid(j))
      return seen.has(k) ? false : (seen.add(k), true)
    })
    const base = baselineFor(variants, baseline, first)
    // Average ranks among the family's points, over the datasets where every point has a score.
    const complete = matrix.flatMap((row, i) => (pointsOf.every((j) => row[j]) ? [i] : []))
    const ranks = complete.length && pointsOf.length >= 2 ? averageRanks(complete.map((i) => pointsOf.map((j) => matrix[i]![j]!.mean))) : null
    const points: GridEffectPoint[] = pointsOf.map((j, p) => {
      const b = baselineFor(variants, baseline, variants[j]!) ?? base
      const perDataset = matrix.map((row) => (b !== null && row[j] && row[b] ? row[j]!.mean - row[b]!.mean : null))
      const pairs = matrix.flatMap((row) => (b !== null && row[j] && row[b] ? [[row[j]!.mean, row[b]!.mean] as const] : []))
      const wtl = winTieLoss(
        pairs.map((x) => x[0]),
        pairs.map((x) => x[1])
      )
      return {
        variant: j,
        grid: pointGrid(j),
        meanDifference: mean(perDataset.filter((d): d is number => d !== null)),
        ...wtl,
        n: pairs.length,
        averageRank: ranks ? ranks[p]! : null,
        perDataset
      }
    })
    const marginals = settings.map((s) => ({
      setting: s.name,
      values: s.values.map((value) => {
        const at = points.filter((p) => canonicalJson(p.grid[s.name]) === canonicalJson(value))
        return {
          value,
          meanDifference: mean(at.flatMap((p) => (p.meanDifference === null ? [] : [p.meanDifference]))),
          averageRank: mean(at.flatMap((p) => (p.averageRank === null ? [] : [p.averageRank])))
        }
      })
    }))
    out.push({
      model: first.model,
      compression: first.compression,
      label: modelAtRatio(first.model, first.compression),
      baseline: base,
      settings,
      points,
      marginals
    })
  }
  return out
}

export const TUNING_RULE = (metric: StudyMetric) =>
  `For each dataset, seed and fold, each model's setting with the best validation ${METRIC_WORDS[metric]} is chosen (ties: the setting listed first — grid order, then the smaller ratio) and its test ${METRIC_WORDS[metric]} is reported. A replicate counts only once every candidate setting has finished on it.`

export function tunedComparison(input: {
  variants: readonly StudyVariant[]
  results: Replicates[][]
  models: readonly ModelKind[]
  baseline: ModelKind
  metric: StudyMetric
  alpha: number
  grid: Record<string, readonly unknown[]>
}): TunedComparison {
  const { variants, results, metric } = input
  const tuned: TunedVariant[] = []
  const values: number[][][] = results.map(() => [])
  for (const model of input.models) {
    const candidates = variants.flatMap((v, j) => (v.model === model ? [j] : []))
    if (!candidates.length) continue
    const over = Object.keys(input.grid).filter((s) => s !== 'compressions' && s in relevantGrid(model, { [s]: 0 }))
    const words = over.map(settingWord)
    if (new Set(candidates.map((j) => variants[j]!.compression)).size > 1) words.push('ratio')
    const n = candidates.length
    let missingValidation = 0
    const choices = results.map((row, d) => {
      const replicates = new Set(candidates.flatMap((j) => [...row[j]!.keys()]))
      const chosen: TunedVariant['choices'][number] = []
      for (const rep of replicates) {
        const rs = candidates.map((j) => row[j]!.get(rep))
        if (rs.some((r) => !r)) continue
        const scores = rs.map((r) => r!.validation?.[metric] ?? null)
        if (scores.some((s) => s === null || s === undefined)) {
          missingValidation++
          continue
        }
        // Strictly better only: on a tie the earlier candidate (grid order, then the smaller ratio) stays.
        let pick = 0
        for (let c = 1; c < n; c++) if (scores[c]! > scores[pick]!) pick = c
        const r = rs[pick]!
        chosen.push({ seed: r.seed, ...(r.fold === undefined ? {} : { fold: r.fold }), variant: candidates[pick]!, validation: scores[pick]!, test: r[metric] })
      }
      values[d]!.push(chosen.map((c) => c.test))
      return chosen
    })
    tuned.push({
      model,
      label: n > 1 ? `${MODEL_LABELS[model]}, tuned over ${words.join(' × ')} on validation (${n} settings)` : `${MODEL_LABELS[model]} (1 setting)`,
      settings: n,
      over: n > 1 ? words : [],
      choices,
      missingValidation
    })
  }
  const baseline = tuned.findIndex((t) => t.model === input.baseline)
  const comparison = compareVariants({ labels: tuned.map((t) => t.label), values, baseline: baseline < 0 ? null : baseline, metric, alpha: input.alpha })
  const missing = tuned.reduce((s, t) => s + t.missingValidation, 0)
  if (missing)
    comparison.verdicts.unshift(
      `${missing} replicate${missing === 1 ? '' : 's'} had no validation ${METRIC_WORDS[metric]} stored (trained before validation scores were kept) and ${missing === 1 ? 'is' : 'are'} left out of the tuned comparison.`
    )
  return { variants: tuned, ...comparison, rule: TUNING_RULE(metric) }
}
