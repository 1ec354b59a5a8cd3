/**
 * A study's results across datasets (Demšar 2006), from the finished cells' per-replicate results: the dataset ×
 * variant matrix with its statistics (studyCompare.ts), how the grid moves each model (studyEffects.ts), and each
 * model tuned on validation — the fair comparison, where picking the best variant on test is optimistic.
 * A variant is a model at a compression ratio and a grid point (settings the model ignores do not split it). Pure.
 */
import {
  MODEL_LABELS,
  ModelKind,
  RECIPES,
  canonicalJson,
  describePoint,
  modelAtRatio,
  relevantGrid,
  type GridPoint,
  type ModelResult,
  type StudyDetail,
  type StudyMetric,
  type StudyVariant
} from '../contract/index.ts'
import { compareVariants, replicateKey, type Replicates } from './studyCompare.ts'
import { gridEffects, tunedComparison } from './studyEffects.ts'

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
  /** The spec's grid (setting → values), for the grid effects. */
  grid: Record<string, readonly unknown[]>
  models: ModelKind[]
  cells: AnalysisCell[]
  metric: StudyMetric
  baseline: ModelKind
  alpha: number
}

type Analysis = Omit<
  StudyDetail,
  'id' | 'name' | 'createdAt' | 'cells' | 'finishedCells' | 'datasets' | 'active' | 'spec' | 'metric' | 'alpha' | 'cellList' | 'datasetList'
>

/** "IUNet (pruned) 1/8 · kappa=0.125": the ratio named once (a pruned model's compressions setting is its ratio). */
export function variantLabel(model: ModelKind, compression: number, point: GridPoint): string {
  const rest = RECIPES[model].prune ? Object.fromEntries(Object.entries(point).filter(([k]) => k !== 'compressions')) : point
  const g = describePoint(rest)
  return `${modelAtRatio(model, compression)}${g ? ` · ${g}` : ''}`
}

/**
 * Grid points where a model trains as another kind does: κ = 1 is no PIS, λ = 0 no ILO, so IUNet at κ = 1, λ = 0 is
 * OMP only. Their numbers match that model's (same seeds, same steps), which a reader should not take for an effect.
 */
export function sameTrainingNotes(variants: readonly StudyVariant[]): string[] {
  const out: string[] = []
  for (const v of variants) {
    const r = RECIPES[v.model]
    const noPis = r.pis && v.grid.kappa === 1
    const noIlo = r.ilo && v.grid.lambda === 0
    if (!noPis && !noIlo) continue
    const pis = r.pis && !noPis
    const ilo = r.ilo && !noIlo
    const twin = ModelKind.options.find(
      (m) => m !== v.model && RECIPES[m].arch === r.arch && RECIPES[m].prune === r.prune && RECIPES[m].pis === pis && RECIPES[m].ilo === ilo
    )
    const why = [noPis ? 'κ = 1 turns PIS off' : '', noIlo ? 'λ = 0 turns ILO off' : ''].filter(Boolean).join(', ')
    if (twin) out.push(`${v.label} trains as ${MODEL_LABELS[twin]} does (${why}): the same numbers are expected, not an effect of the grid.`)
  }
  return out
}

export interface VariantTable {
  variants: StudyVariant[]
  /** results[dataset][variant]: each replicate's result, from the first cell that ran the variant. */
  results: Replicates[][]
}

/** The variants that have a result, in grid-point order, then the spec's model order, then by ratio. */
export function variantTable(input: Pick<AnalysisInput, 'datasets' | 'points' | 'models' | 'cells'>): VariantTable {
  const pointIndex = new Map(input.points.map((p, i) => [canonicalJson(p), i]))
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
  const ordered = [...seen.values()].sort(
    (a, b) => a.point - b.point || input.models.indexOf(a.model) - input.models.indexOf(b.model) || a.compression - b.compression
  )
  const variants: StudyVariant[] = ordered.map(({ point: _p, ...v }) => v)
  const vIndex = new Map(variants.map((v, i) => [v.key, i]))
  const results: Replicates[][] = input.datasets.map(() => variants.map(() => new Map()))
  // A variant that several cells ran (a dense MLP in every κ cell) takes its numbers from the first cell only.
  const source = new Map<string, number>()
  input.cells.forEach((c, ci) => {
    for (const r of c.results ?? []) {
      const key = keyOf(r, c.grid)
      const at = `${c.datasetIndex}|${key}`
      if ((source.get(at) ?? ci) !== ci) continue
      source.set(at, ci)
      results[c.datasetIndex]![vIndex.get(key)!]!.set(replicateKey(r), r)
    }
  })
  return { variants, results }
}

export function analyzeStudy(input: AnalysisInput): Analysis {
  const { metric, alpha } = input
  const { variants, results } = variantTable(input)
  const values = results.map((row) => row.map((reps) => [...reps.values()].map((r) => r[metric])))
  const baseline = variants.findIndex((v) => v.model === input.baseline)
  const comparison = compareVariants({ labels: variants.map((v) => v.label), values, baseline: baseline < 0 ? null : baseline, metric, alpha })
  const perModel = new Map<ModelKind, number>()
  for (const v of variants) perModel.set(v.model, (perModel.get(v.model) ?? 0) + 1)
  const competing = [...perModel].filter(([, n]) => n > 1)
  comparison.verdicts.push(...sameTrainingNotes(variants))
  const optimisticNote = competing.length
    ? `Picking the best of ${competing.map(([m, n]) => `${MODEL_LABELS[m]}'s ${n} settings`).join(', ')} by test scores is selection on the test set: optimistic by construction. The tuned comparison chooses each model's setting on validation instead.`
    : null
  const locality = results.map((row) =>
    row.map((reps) => {
      const shares = [...reps.values()].flatMap((r) => (r.locality ? [r.locality.singleFeatureShare] : []))
      return shares.length ? shares.reduce((a, b) => a + b, 0) / shares.length : null
    })
  )
  const effects = gridEffects({ variants, values, grid: input.grid, baseline: input.baseline, datasets: input.datasets.length })
  const tuned = competing.length
    ? tunedComparison({ variants, results, models: input.models, baseline: input.baseline, metric, alpha, grid: input.grid })
    : null
  return { variants, ...comparison, locality, optimisticNote, gridEffects: effects, tuned }
}
