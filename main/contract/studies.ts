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
  significant: z.boolean()
})
export type StudyTest = z.infer<typeof StudyTest>

export const StudyDetail = StudySummary.extend({
  spec: StudySpec,
  metric: StudyMetric,
  alpha: z.number(),
  cellList: z.array(StudyCell),
  datasetList: z.array(z.object({ id: z.string(), name: z.string() })),
  variants: z.array(StudyVariant),
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
  verdicts: z.array(z.string())
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
