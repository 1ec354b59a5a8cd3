/**
 * The statistics of a comparison of variants across datasets (Demšar 2006), for any set of variants — every model
 * at every setting, or each model tuned on validation: the matrix of means, the best per dataset, average ranks,
 * Friedman + Nemenyi CD, each variant against a baseline (Wilcoxon signed-rank, Holm-corrected, win/tie/loss), and
 * the verdicts in words. Pure: the statistics come from lib/stats.
 */
import { METRIC_WORDS, pointsDiff, pValue, type MeanStd, type ModelResult, type StudyComparison, type StudyMetric, type StudyTest } from '../contract/index.ts'
import { meanStd } from '../engine/metrics.ts'
import { averageRanks, friedman, holm, nemenyiCriticalDifference, wilcoxonSignedRank, winTieLoss } from '../lib/stats/index.ts'

/** The results of one variant on one dataset, by replicate ("seed/fold"). */
export type Replicates = Map<string, ModelResult>
export const replicateKey = (r: Pick<ModelResult, 'seed' | 'fold'>) => `${r.seed}/${r.fold ?? ''}`

export interface ComparisonInput {
  labels: string[]
  /** values[dataset][variant]: the metric of each replicate (seed × fold); empty where not run. */
  values: number[][][]
  baseline: number | null
  metric: StudyMetric
  alpha: number
}

/** Means of a matrix row-wise, or null where a cell has no value. */
export function meansOf(values: number[][][]): (MeanStd | null)[][] {
  return values.map((row) => row.map((xs) => (xs.length ? meanStd(xs) : null)))
}

export function compareVariants(input: ComparisonInput): StudyComparison {
  const { labels, metric, alpha } = input
  const matrix = meansOf(input.values)
  const best = matrix.map((row) => {
    const top = Math.max(...row.map((m) => m?.mean ?? -Infinity))
    return Number.isFinite(top) ? row.flatMap((m, j) => (m && Math.abs(m.mean - top) <= 1e-12 ? [j] : [])) : []
  })

  const verdicts: string[] = []
  const k = labels.length
  const complete = matrix.flatMap((row, i) => (k > 0 && row.every((m) => m !== null) ? [i] : []))
  const scores = complete.map((i) => matrix[i]!.map((m) => m!.mean))
  const ranks = complete.length && k >= 2 ? { datasets: complete, average: averageRanks(scores) } : null
  let fr: StudyComparison['friedman'] = null
  let nemenyi: StudyComparison['nemenyi'] = null
  const word = METRIC_WORDS[metric]
  if (k >= 3 && complete.length >= 2) {
    const f = friedman(scores)
    fr = { statistic: f.statistic, df: f.df, p: f.p, imanDavenportP: f.imanDavenport.p }
    const n = nemenyiCriticalDifference(k, complete.length, alpha)
    nemenyi = { cd: n.cd, qAlpha: n.qAlpha }
    const order = ranks!.average.map((r, j) => [r, j] as const).sort((a, b) => a[0] - b[0])
    const [topRank, top] = order[0]!
    verdicts.push(
      f.p < alpha
        ? `The ${k} variants differ in ${word} over ${complete.length} datasets (Friedman χ²(${f.df}) = ${f.statistic.toFixed(2)}, p = ${pValue(f.p)} < α = ${alpha}).`
        : `No evidence that the ${k} variants differ in ${word} over ${complete.length} datasets (Friedman χ²(${f.df}) = ${f.statistic.toFixed(2)}, p = ${pValue(f.p)} ≥ α = ${alpha}); with more datasets a difference may show.`
    )
    const beaten = order.filter(([r]) => r - topRank >= n.cd).map(([, j]) => labels[j]!)
    verdicts.push(
      `Best average rank: ${labels[top]!} (${topRank.toFixed(2)}). Nemenyi critical difference CD = ${n.cd.toFixed(2)} ranks at α = ${alpha}: ` +
        (beaten.length ? `it ranks significantly better than ${beaten.join(', ')}.` : 'no other variant is a critical difference behind it.')
    )
  } else if (k >= 2) {
    verdicts.push(
      complete.length < 2
        ? `Tests across datasets need at least 2 datasets where every variant finished (have ${complete.length}).`
        : `The Friedman test and the critical-difference diagram need at least 3 variants (have ${k}); see the Wilcoxon test below.`
    )
  }

  const baseline = input.baseline
  const tests: StudyTest[] = []
  if (baseline !== null) {
    const raw = labels.flatMap((_, j) => {
      if (j === baseline) return []
      const both = matrix.flatMap((row) => (row[j] && row[baseline] ? [[row[j]!.mean, row[baseline]!.mean] as const] : []))
      const a = both.map((x) => x[0])
      const b = both.map((x) => x[1])
      const wtl = winTieLoss(a, b)
      const p = both.length >= 2 ? wilcoxonSignedRank(a, b).p : null
      const meanDifference = both.length ? both.reduce((s, [x, y]) => s + x - y, 0) / both.length : null
      return [{ variant: j, n: both.length, ...wtl, meanDifference, p }]
    })
    const withP = raw.filter((t) => t.p !== null)
    const adj = holm(
      withP.map((t) => t.p!),
      alpha
    )
    const base = labels[baseline]!
    for (const t of raw) {
      const i = withP.indexOf(t)
      const pHolm = i >= 0 ? adj.adjusted[i]! : null
      const significant = i >= 0 ? adj.reject[i]! : false
      const name = `${labels[t.variant]!} vs ${base}`
      let verdict: string
      if (t.p === null || pHolm === null) verdict = `${name}: ${t.n} shared dataset${t.n === 1 ? '' : 's'}; the Wilcoxon test needs at least 2.`
      else {
        const record = `${t.wins} wins, ${t.ties} ties, ${t.losses} losses over ${t.n} datasets (mean ${pointsDiff(t.meanDifference)} ${word})`
        const outcome = significant
          ? `${t.meanDifference! > 0 ? 'better' : 'worse'}, significant at α = ${alpha} after Holm's correction`
          : `not significantly different at α = ${alpha} after Holm's correction`
        verdict = `${name}: ${record}; Wilcoxon p = ${pValue(t.p)}, Holm p = ${pValue(pHolm)}: ${outcome}.`
      }
      tests.push({ ...t, pHolm, significant, verdict })
    }
  }
  return { matrix, best, ranks, friedman: fr, nemenyi, baseline, tests, verdicts }
}
