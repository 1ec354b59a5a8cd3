/** Studies: the spec a user writes, its cells, and the analysis across datasets that studies.get answers. */
import { z } from 'zod'
import { ImageShape } from './datasets.ts'
import { MeanStd, RunStatus } from './results.ts'
import { ModelKind, Preset } from './runConfig.ts'

/*
 * Studies: many datasets × a grid of settings × models × seeds (or folds), run as one run per cell, and their
 * analysis across datasets (Demšar 2006). The spec is what a user writes (JSON or YAML).
 * Grid: each key names a RunConfig setting (dotted for nested ones: `split.kfold`, `augment.noise`), each value
 * lists the values to try; the cells are the cartesian product, per dataset. A grid value is the whole value of
 * the setting, so `compressions: [[4], [8, 16]]` gives two cells (one ratio, then two); a bare number for
 * `compressions` means that one ratio, so `compressions: [4, 8, 16]` gives three cells.
 */
export const StudyDataset = z
  .object({
    /** A CSV/IDX file or an image folder (imported once; the same file again reuses the stored dataset). */
    path: z.string().min(1).optional(),
    /** A stored dataset id. */
    id: z.string().min(1).optional(),
    /** The column to predict (default: the stored / inferred target). */
    target: z.string().min(1).optional(),
    imageShape: ImageShape.optional(),
    name: z.string().min(1).max(200).optional()
  })
  .strict()
  .refine((d) => !!d.path !== !!d.id, { message: 'give a dataset either a path or an id' })
export type StudyDataset = z.infer<typeof StudyDataset>

export const StudyMetric = z.enum(['accuracy', 'balancedAccuracy', 'macroF1'])
export type StudyMetric = z.infer<typeof StudyMetric>
/** A metric in a sentence. */
export const METRIC_WORDS: Record<StudyMetric, string> = { accuracy: 'accuracy', balancedAccuracy: 'balanced accuracy', macroF1: 'macro F1' }

export const StudySpec = z
  .object({
    name: z.string().min(1).max(200),
    datasets: z.array(StudyDataset).min(1, 'a study needs at least one dataset'),
    models: z.array(ModelKind).min(1, 'pick at least one model'),
    preset: Preset.default('quick'),
    seeds: z.number().int().min(1).max(20).default(3),
    /** Settings for every cell, over the preset's defaults (RunConfig fields, nested objects merged). */
    settings: z.record(z.string(), z.unknown()).default({}),
    /** Setting → values to try (dotted names for nested settings); the cells are the cartesian product. */
    grid: z.record(z.string(), z.array(z.unknown()).min(1, 'a grid setting needs at least one value')).default({}),
    /** The model the others are tested against (Wilcoxon + Holm); default: mlp when run, else the first model. */
    baseline: ModelKind.optional(),
    metric: StudyMetric.default('accuracy')
  })
  .strict()
export type StudySpec = z.infer<typeof StudySpec>
export type StudySpecInput = z.input<typeof StudySpec>

/** One grid point's values, by setting name. */
export const GridPoint = z.record(z.string(), z.unknown())
export type GridPoint = z.infer<typeof GridPoint>

export const StudyCell = z.object({
  index: z.number().int(),
  /** Stable identity: dataset id + the grid point (resuming and collecting match on it). */
  key: z.string(),
  datasetId: z.string(),
  datasetName: z.string(),
  grid: GridPoint,
  runId: z.string().nullable(),
  /** Null: not started. */
  status: RunStatus.nullable()
})
export type StudyCell = z.infer<typeof StudyCell>

export const StudySummary = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  cells: z.number().int(),
  finishedCells: z.number().int(),
  datasets: z.number().int(),
  /** This process is training the study's cells now (studies.cancel stops it; studies.resume starts it again). */
  active: z.boolean()
})
export type StudySummary = z.infer<typeof StudySummary>

/** A column of the matrix: a model at a compression ratio and a grid point. */
export const StudyVariant = z.object({
  key: z.string(),
  model: ModelKind,
  compression: z.number(),
  grid: GridPoint,
  label: z.string()
})
export type StudyVariant = z.infer<typeof StudyVariant>

export const StudyTest = z.object({
  variant: z.number().int(),
  /** Datasets where both have a score. */
  n: z.number().int(),
  wins: z.number().int(),
  ties: z.number().int(),
  losses: z.number().int(),
  meanDifference: z.number().nullable(),
  /** Wilcoxon signed-rank, two-sided (null with fewer than 2 datasets). */
  p: z.number().nullable(),
  /** Holm-adjusted over the variants tested against the baseline. */
  pHolm: z.number().nullable(),
  significant: z.boolean(),
  /** The test in words ("<variant> vs <baseline>: 3 wins, …"): it belongs to its variant's row, so a filter that
   *  hides the row hides it too. */
  verdict: z.string()
})
export type StudyTest = z.infer<typeof StudyTest>

/** A comparison of variants across datasets (Demšar 2006): the same statistics for any set of variants. */
export const StudyComparison = z.object({
  /** matrix[dataset][variant]: mean ± std of the metric over seeds (× folds); null where not run or not finished. */
  matrix: z.array(z.array(MeanStd.nullable())),
  /** Per dataset, the variants with the best mean (ties all listed). */
  best: z.array(z.array(z.number().int())),
  /** Over the datasets where every variant has a score (1 = best). */
  ranks: z.object({ datasets: z.array(z.number().int()), average: z.array(z.number()) }).nullable(),
  friedman: z.object({ statistic: z.number(), df: z.number(), p: z.number(), imanDavenportP: z.number() }).nullable(),
  nemenyi: z.object({ cd: z.number(), qAlpha: z.number() }).nullable(),
  baseline: z.number().int().nullable(),
  tests: z.array(StudyTest),
  /** About the comparison as a whole (Friedman, best rank, notes); each test against the baseline carries its own. */
  verdicts: z.array(z.string())
})
export type StudyComparison = z.infer<typeof StudyComparison>

/** One grid point of a model at a ratio, against the baseline. */
export const GridEffectPoint = z.object({
  /** Index into StudyDetail.variants. */
  variant: z.number().int(),
  grid: GridPoint,
  /** Mean over the datasets of (this variant − the baseline) on the metric; null without a shared dataset. */
  meanDifference: z.number().nullable(),
  wins: z.number().int(),
  ties: z.number().int(),
  losses: z.number().int(),
  /** Datasets where both have a score. */
  n: z.number().int(),
  /** Average rank among the model's grid points at this ratio, over the datasets where all have a score (1 = best). */
  averageRank: z.number().nullable(),
  /** Per dataset (datasetList order): this variant's mean minus the baseline's; null where either is missing. */
  perDataset: z.array(z.number().nullable())
})
export type GridEffectPoint = z.infer<typeof GridEffectPoint>

/** How a grid of settings moves one model at one ratio against the baseline: per point, and per setting value. */
export const GridEffect = z.object({
  model: ModelKind,
  compression: z.number(),
  label: z.string(),
  /** The baseline variant the differences are taken to (index into StudyDetail.variants). */
  baseline: z.number().int().nullable(),
  /** The grid settings that vary for this model at this ratio, in the spec's order, with their values. */
  settings: z.array(z.object({ name: z.string(), values: z.array(z.unknown()) })),
  points: z.array(GridEffectPoint),
  /** Per setting, each value's effect averaged over the other settings' values (the marginal effect). */
  marginals: z.array(
    z.object({
      setting: z.string(),
      values: z.array(z.object({ value: z.unknown(), meanDifference: z.number().nullable(), averageRank: z.number().nullable() }))
    })
  )
})
export type GridEffect = z.infer<typeof GridEffect>

/** A model tuned on validation: per dataset, seed and fold, the setting with the best validation score. */
export const TunedVariant = z.object({
  model: ModelKind,
  label: z.string(),
  /** How many settings (grid points × ratios) it was chosen among: unequal budgets stay visible. */
  settings: z.number().int(),
  /** What was tuned over, in words ("κ × λ × ratio"); empty when there was one setting. */
  over: z.array(z.string()),
  /** Per dataset: each replicate's choice (variant = index into StudyDetail.variants) and its scores. */
  choices: z.array(
    z.array(z.object({ seed: z.number().int(), fold: z.number().int().optional(), variant: z.number().int(), validation: z.number(), test: z.number() }))
  ),
  /** Replicates left out because a candidate had no validation score of the metric (results stored before schema 5). */
  missingValidation: z.number().int()
})
export type TunedVariant = z.infer<typeof TunedVariant>

export const TunedComparison = StudyComparison.extend({
  variants: z.array(TunedVariant),
  /** The selection rule, in words. */
  rule: z.string()
})
export type TunedComparison = z.infer<typeof TunedComparison>

export const StudyDetail = StudySummary.extend({
  spec: StudySpec,
  metric: StudyMetric,
  alpha: z.number(),
  cellList: z.array(StudyCell),
  datasetList: z.array(z.object({ id: z.string(), name: z.string() })),
  /** Every model at every ratio and relevant grid point; comparing them all and picking the best is optimistic. */
  variants: z.array(StudyVariant),
  ...StudyComparison.shape,
  /**
   * locality[dataset][variant]: mean over replicates of the share of first-layer units reading exactly one input
   * feature (tabular MLP-family models; null elsewhere), shown beside the metric.
   */
  locality: z.array(z.array(z.number().nullable())),
  /** Said when several settings of a model compete on their test scores (selection on the test set). */
  optimisticNote: z.string().nullable(),
  /** Grid studies: each model at each ratio over the grid, against the baseline. */
  gridEffects: z.array(GridEffect),
  /** Each model tuned on validation over its settings, compared as any variants are; null without a grid or ratios to tune. */
  tuned: TunedComparison.nullable()
})
export type StudyDetail = z.infer<typeof StudyDetail>

export const StudyProgress = z.object({
  studyId: z.string(),
  cellsDone: z.number().int(),
  cells: z.number().int(),
  /** The cell that just started or ended. */
  cell: z.string().nullable(),
  status: RunStatus.nullable()
})
export type StudyProgress = z.infer<typeof StudyProgress>
