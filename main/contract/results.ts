/** What a run produces: statuses, phases, per-task results and epochs, aggregates, summaries and details. */
import { z } from 'zod'
import { DatasetSummary, ImageShape } from './datasets.ts'
import { ModelKind, Preset, RunConfig } from './runConfig.ts'

export const RunStatus = z.enum(['queued', 'running', 'finished', 'failed', 'cancelled', 'interrupted'])
export type RunStatus = z.infer<typeof RunStatus>

export const Phase = z.enum(['prepare', 'supernet', 'prune', 'finetune', 'train', 'evaluate', 'done'])
export type Phase = z.infer<typeof Phase>

export const MeanStd = z.object({ mean: z.number(), std: z.number(), n: z.number().int() })
export type MeanStd = z.infer<typeof MeanStd>

export const LayerSparsity = z.object({
  name: z.string(),
  total: z.number().int(),
  nonzero: z.number().int(),
  prunable: z.boolean()
})
export type LayerSparsity = z.infer<typeof LayerSparsity>

/** Scores on the validation split of the weights a model keeps (its best-validation epoch): what fair selection reads. */
/** How local a tabular first layer is (connectivity.ts computes it): units by the number of features they read. */
export const LocalitySchema = z.object({
  features: z.number().int(),
  units: z.number().int(),
  histogram: z.array(z.number().int()),
  singleFeatureShare: z.number(),
  meanFeatures: z.number()
})

export const ValidationScores = z.object({
  accuracy: z.number(),
  /** Null for results stored before schema 5 (only the accuracy was logged then, per epoch). */
  balancedAccuracy: z.number().nullable(),
  macroF1: z.number().nullable()
})
export type ValidationScores = z.infer<typeof ValidationScores>

/**
 * What a result, an epoch, an artifact or a progress event belongs to: a task (model, seed, fold) at a compression
 * ratio — runShape's ResultId on the wire, written once.
 */
export const ResultIdFields = {
  model: ModelKind,
  seed: z.number().int(),
  /** Repeated k-fold runs: the fold (0..k−1) that was the test part; the seed picks the repeat's partition. */
  fold: z.number().int().min(0).optional(),
  /** Compression ratio actually applied (1 for unpruned models). */
  compression: z.number()
}

/** Result of one model, one seed (and one compression ratio for pruned models). */
export const ModelResult = z.object({
  ...ResultIdFields,
  accuracy: z.number(),
  balancedAccuracy: z.number(),
  macroF1: z.number(),
  /** confusion[true][predicted] on the test split. */
  confusion: z.array(z.array(z.number().int())),
  params: z.number().int(),
  nonzeroParams: z.number().int(),
  flopsDense: z.number(),
  flopsSparse: z.number(),
  trainSeconds: z.number(),
  inferenceMsPerExample: z.number(),
  /** Share of test inputs whose prediction is unchanged under the ILO transformation. */
  invariancePrediction: z.number(),
  /** Mean cosine similarity of the encoder outputs of x and t(x). */
  invarianceRepresentation: z.number(),
  /** Validation accuracy of the supernetwork just before pruning (pruned models only). */
  supernetValAccuracy: z.number().nullable(),
  bestEpoch: z.number().int(),
  /** Validation scores at the kept epoch; null when the split had no validation rows (or none was logged). */
  validation: ValidationScores.nullable().optional(),
  /** Tabular MLP-family models: the first layer's locality over every unit (absent for images and other models). */
  locality: LocalitySchema.optional(),
  layers: z.array(LayerSparsity)
})
export type ModelResult = z.infer<typeof ModelResult>

export const EpochMetrics = z.object({
  ...ResultIdFields,
  phase: Phase,
  epoch: z.number().int(),
  trainLoss: z.number(),
  trainAccuracy: z.number(),
  valLoss: z.number(),
  valAccuracy: z.number(),
  /** ILO runs: the contrastive part of the training loss. */
  contrastiveLoss: z.number().nullable(),
  seconds: z.number()
})
export type EpochMetrics = z.infer<typeof EpochMetrics>

export const ModelAggregate = z.object({
  model: ModelKind,
  compression: z.number(),
  seeds: z.number().int(),
  params: z.number().int(),
  nonzeroParams: z.number().int(),
  flopsDense: z.number(),
  flopsSparse: z.number(),
  accuracy: MeanStd,
  balancedAccuracy: MeanStd,
  macroF1: MeanStd,
  invariancePrediction: MeanStd,
  invarianceRepresentation: MeanStd,
  supernetValAccuracy: MeanStd.nullable(),
  trainSeconds: MeanStd,
  inferenceMsPerExample: MeanStd,
  /**
   * Tabular MLP-family models: the first layer's share of units reading exactly one feature, and the features a unit
   * reads on average (ModelResult.locality), over the replicates that carry it; null for images and other models.
   */
  singleFeatureShare: MeanStd.nullable().optional(),
  meanFeatures: MeanStd.nullable().optional()
})
export type ModelAggregate = z.infer<typeof ModelAggregate>

export const RunSummary = z.object({
  id: z.string(),
  name: z.string(),
  datasetId: z.string(),
  datasetName: z.string(),
  status: RunStatus,
  models: z.array(ModelKind),
  preset: Preset,
  seeds: z.number().int(),
  /** Folds per seed with repeated k-fold (config.split.kfold), else null: an aggregate is over seeds × folds. */
  folds: z.number().int().nullable(),
  backend: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  /** Best mean test accuracy over the run's models, once any finished. */
  bestAccuracy: z.number().nullable(),
  bestModel: ModelKind.nullable(),
  progress: z.number().min(0).max(1),
  /** The study this run is a cell of (its Studies screen reports it), or null. */
  studyId: z.string().nullable()
})
export type RunSummary = z.infer<typeof RunSummary>

/** The first-layer weights of an MLP-family model for drawing masks as images. */
export const FirstLayerArtifact = z.object({
  ...ResultIdFields,
  inputs: z.number().int(),
  /** Hidden units included (a sample of the layer, the most connected first). */
  units: z.number().int(),
  /** units × inputs, row-major: trained weights of the supernetwork (before pruning) or of the dense model. */
  weights: z.array(z.number()),
  /** units × inputs 0/1 mask (all ones for dense models). */
  mask: z.array(z.number()),
  /** Tabular: the original features the inputs group back to (one-hot blocks are one feature). */
  features: z.object({ names: z.array(z.string()), groups: z.array(z.tuple([z.number().int(), z.number().int()])) }).optional()
})
export type FirstLayerArtifact = z.infer<typeof FirstLayerArtifact>

/**
 * IUNet against the dense MLP within one run: test accuracy paired by seed (and fold with repeated k-fold), judged by
 * the paired t-test, or with k-fold the corrected resampled t-test (Nadeau & Bengio 2003).
 */
export const PairedComparison = z.object({
  model: ModelKind,
  compression: z.number(),
  baseline: ModelKind,
  metric: z.literal('accuracy'),
  /** Seed of each pair (a seed appears once per fold with k-fold). */
  seeds: z.array(z.number().int()),
  test: z.enum(['paired-t', 'corrected-resampled-t']),
  meanDifference: z.number().nullable(),
  t: z.number().nullable(),
  df: z.number().nullable(),
  /** Two-sided p; null with fewer than 2 pairs, or when the two models scored the same on every pair. */
  p: z.number().nullable(),
  /** Equal on every pair: no test can tell them apart. */
  identical: z.boolean()
})
export type PairedComparison = z.infer<typeof PairedComparison>

export const RunDetail = RunSummary.extend({
  config: RunConfig,
  dataset: DatasetSummary.nullable(),
  results: z.array(ModelResult),
  aggregates: z.array(ModelAggregate),
  /** IUNet at each ratio against the dense MLP, paired by seed (and fold); empty without both models. */
  comparisons: z.array(PairedComparison),
  /** Class names in the order of confusion-matrix rows. */
  classNames: z.array(z.string()),
  imageShape: ImageShape.nullable()
})
export type RunDetail = z.infer<typeof RunDetail>
