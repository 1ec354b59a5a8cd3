/**
 * A study's results across datasets (Demšar 2006), from the finished cells' per-seed results: the dataset ×
 * variant matrix (mean ± std), the best per dataset, average ranks, Friedman + Nemenyi CD, and each variant
 * against the baseline (Wilcoxon signed-rank over datasets, Holm-corrected, win/tie/loss), in plain words too.
 * A variant is a model at a compression ratio and a grid point. Pure: statistics come from lib/stats.
 */
import {
  type MeanStd,
  type ModelKind,
  type ModelResult,
  type StudyDetail,
  type StudyMetric,
  type StudyTest,
  type StudyVariant,
  canonicalJson,
  describePoint,
  modelAtRatio,
  pointsDiff,
  pValue,
  relevantGrid,
  type GridPoint
} from '../contract/index.ts'
import { meanStd } from '../engine/metrics.ts'
import { averageRanks, friedman, holm, nemenyiCriticalDifference, wilcoxonSignedRank, winTieLoss } from '../lib/stats/index.ts'

export interface AnalysisCell {
  datasetIndex: number
  grid: GridPoint
  /** Only finished cells count; null otherwise. */
  results: ModelResult[] | null
}

export interface AnalysisInput {
  datasets: { id: string; name: string }[]
  /** Grid points in spec order. */
  points: GridPoint[]
  models: ModelKind[]
  cells: AnalysisCell[]
  metric: StudyMetric
  baseline: ModelKind
  alpha: number
}

type Analysis = Pick<StudyDetail, 'variants' | 'matrix' | 'best' | 'ranks' | 'friedman' | 'nemenyi' | 'baseline' | 'tests' | 'verdicts'>

const METRIC_WORDS: Record<StudyMetric, string> = { accuracy: 'accuracy', balancedAccuracy: 'balanced accuracy', macroF1: 'macro F1' }

function variantLabel(model: ModelKind, compression: number, point: GridPoint): string {
  const g = describePoint(point)
  return `${modelAtRatio(model, compression)}${g ? ` · ${g}` : ''}`
}

export function analyzeStudy(input: AnalysisInput): Analysis {
  const { datasets, points, models, metric, alpha } = input
  const pointIndex = new Map(points.map((p, i) => [canonicalJson(p), i]))
  // Variants in grid-point order, then the spec's model order, then by ratio; only those with a result.
  const seen = new Map<string, StudyVariant & { point: number }>()
  const keyOf = (r: ModelResult, grid: GridPoint) => `${r.model}@${r.compression}|${canonicalJson(relevantGrid(r.model, grid))}`
  for (const c of input.cells) {
    for (const r of c.results ?? []) {
      const key = keyOf(r, c.grid)
      const grid = relevantGrid(r.model, c.grid)
      if (!seen.has(key))
        seen.set(key, {
          key,
          model: r.model,
          compression: r.compression,
          grid,
          label: variantLabel(r.model, r.compression, grid),
          point: pointIndex.get(canonicalJson(c.grid)) ?? 0
        })
    }
  }
  const ordered = [...seen.values()].sort((a, b) => a.point - b.point || models.indexOf(a.model) - models.indexOf(b.model) || a.compression - b.compression)
  const variants: StudyVariant[] = ordered.map(({ point: _p, ...v }) => v)
  const vIndex = new Map(variants.map((v, i) => [v.key, i]))

  const values: number[][][] = datasets.map(() => variants.map(() => []))
  // A variant that several cells ran (a dense MLP in every κ cell) takes its numbers from the first cell only.
  const source = new Map<string, number>()
  input.cells.forEach((c, ci) => {
    for (const r of c.results ?? []) {
      const key = keyOf(r, c.grid)
      const at = `${c.datasetIndex}|${key}`
      if ((source.get(at) ?? ci) !== ci) continue
      source.set(at, ci)
      values[c.datasetIndex]![vIndex.get(key)!]!.push(r[metric])
    }
  })
  const matrix: (MeanStd | null)[][] = values.map((row) => row.map((xs) => (xs.length ? meanStd(xs) : null)))
  const best = matrix.map((row) => {
    const top = Math.max(...row.map((m) => m?.mean ?? -Infinity))
    return Number.isFinite(top) ? row.flatMap((m, j) => (m && Math.abs(m.mean - top) <= 1e-12 ? [j] : [])) : []
  })

  const verdicts: string[] = []
  const k = variants.length
  const complete = matrix.flatMap((row, i) => (k > 0 && row.every((m) => m !== null) ? [i] : []))
  const scores = complete.map((i) => matrix[i]!.map((m) => m!.mean))
  const ranks = complete.length && k >= 2 ? { datasets: complete, average: averageRanks(scores) } : null
  let fr: Analysis['friedman'] = null
  let nemenyi: Analysis['nemenyi'] = null
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
    const beaten = order.filter(([r]) => r - topRank >= n.cd).map(([, j]) => variants[j]!.label)
    verdicts.push(
      `Best average rank: ${variants[top]!.label} (${topRank.toFixed(2)}). Nemenyi critical difference CD = ${n.cd.toFixed(2)} ranks at α = ${alpha}: ` +
        (beaten.length ? `it ranks significantly better than ${beaten.join(', ')}.` : 'no other variant is a critical difference behind it.')
    )
  } else if (k >= 2) {
    verdicts.push(
      complete.length < 2
        ? `Tests across datasets need at least 2 datasets where every variant finished (have ${complete.length}).`
        : `The Friedman test and the critical-difference diagram need at least 3 variants (have ${k}); see the Wilcoxon test below.`
    )
  }

  let baseline: number | null = variants.findIndex((v) => v.model === input.baseline)
  if (baseline < 0) baseline = null
  const tests: StudyTest[] = []
  if (baseline !== null) {
    const raw = variants.flatMap((v, j) => {
      if (j === baseline) return []
      const both = matrix.flatMap((row) => (row[j] && row[baseline!] ? [[row[j]!.mean, row[baseline!]!.mean] as const] : []))
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
    for (const t of raw) {
      const i = withP.indexOf(t)
      const pHolm = i >= 0 ? adj.adjusted[i]! : null
      tests.push({ ...t, pHolm, significant: i >= 0 ? adj.reject[i]! : false })
    }
    const base = variants[baseline]!.label
    for (const t of tests) {
      const name = `${variants[t.variant]!.label} vs ${base}`
      if (t.p === null || t.pHolm === null) {
        verdicts.push(`${name}: ${t.n} shared dataset${t.n === 1 ? '' : 's'}; the Wilcoxon test needs at least 2.`)
        continue
      }
      const record = `${t.wins} wins, ${t.ties} ties, ${t.losses} losses over ${t.n} datasets (mean ${pointsDiff(t.meanDifference)} ${word})`
      const verdict = t.significant
        ? `${t.meanDifference! > 0 ? 'better' : 'worse'}, significant at α = ${alpha} after Holm's correction`
        : `not significantly different at α = ${alpha} after Holm's correction`
      verdicts.push(`${name}: ${record}; Wilcoxon p = ${pValue(t.p)}, Holm p = ${pValue(t.pHolm)}: ${verdict}.`)
    }
  }
  return { variants, matrix, best, ranks, friedman: fr, nemenyi, baseline, tests, verdicts }
}
