/** What a run is asked to do: the model kinds of the comparison, the preset, and every setting of a RunConfig. */
import { z } from 'zod'
import { ColumnOverride } from './datasets.ts'

/**
 * The rows of the comparison (see shared/iunet-method.md):
 * iunet = κθ† + ILO → OMP → rewind θ† → finetune; mlp = dense, standard init, CE;
 * cnn = CNN (images) ; resnet = ResNet (images) or tabular ResNet (tabular);
 * omp = θ† + CE → OMP → rewind → finetune; no-pis = θ† + ILO → …; no-ilo = κθ† + CE → …;
 * iunet-noprune = κθ† + ILO, not pruned.
 */
export const ModelKind = z.enum(['iunet', 'mlp', 'cnn', 'resnet', 'omp', 'no-pis', 'no-ilo', 'iunet-noprune'])
export type ModelKind = z.infer<typeof ModelKind>
export const MODEL_LABELS: Record<ModelKind, string> = {
  iunet: 'IUNet (pruned)',
  mlp: 'Dense MLP',
  cnn: 'CNN',
  resnet: 'ResNet',
  omp: 'OMP only',
  'no-pis': 'IUNet − PIS',
  'no-ilo': 'IUNet − ILO',
  'iunet-noprune': 'IUNet (no prune)'
}
/** Models that only make sense on image data. */
export const IMAGE_ONLY_MODELS: readonly ModelKind[] = ['cnn']

export const Preset = z.enum(['quick', 'standard', 'paper'])
export type Preset = z.infer<typeof Preset>

export const SplitConfig = z
  .object({
    train: z.number().gt(0).lt(1),
    val: z.number().gt(0).lt(1),
    test: z.number().gt(0).lt(1),
    /** Repeated stratified k-fold instead of one split (small data): k folds, the val split is cut from train. */
    kfold: z.number().int().min(2).max(20).nullable()
  })
  .refine((s) => Math.abs(s.train + s.val + s.test - 1) < 1e-6, { message: 'train + val + test must sum to 1' })
export type SplitConfig = z.infer<typeof SplitConfig>

export const AugmentConfig = z.object({
  /** Images: max translation in pixels (random crop with zero padding). */
  translate: z.number().int().min(0).max(16),
  /** Images: random horizontal flip (off for digits and text). */
  flip: z.boolean(),
  /** Images: random resized crop, minimum area fraction (1 = off). */
  cropScale: z.number().gt(0).max(1),
  /** Images (colour): brightness/contrast jitter strength (0 = off). */
  colorJitter: z.number().min(0).max(1),
  /** Images (colour): probability of random grayscale. */
  grayscale: z.number().min(0).max(1),
  /** Tabular: SCARF corruption rate (share of features replaced from their marginal). */
  corruption: z.number().min(0).max(1),
  /** Tabular: std of Gaussian noise on standardized numeric features. */
  noise: z.number().min(0).max(2)
})
export type AugmentConfig = z.infer<typeof AugmentConfig>

export const RunConfig = z.object({
  datasetId: z.string().min(1),
  name: z.string().max(200).optional(),
  models: z.array(ModelKind).min(1, 'pick at least one model'),
  preset: Preset,
  seeds: z.number().int().min(1).max(20),
  /** Compression ratios r (keep 1/r of the encoder's weights); several ratios give an accuracy-vs-compression curve. */
  compressions: z.array(z.number().min(1).max(4096)).min(1),
  /** Supernetwork (and every unpruned model's) epochs. */
  epochs: z.number().int().min(1).max(2000),
  /** Finetuning epochs after pruning. */
  finetuneEpochs: z.number().int().min(1).max(2000),
  batchSize: z.number().int().min(1).max(4096),
  learningRate: z.number().gt(0).max(1),
  weightDecay: z.number().min(0).max(1),
  /** MLP supernetwork: number of hidden layers and their width. */
  depth: z.number().int().min(1).max(12),
  width: z.number().int().min(4).max(8192),
  kappa: z.number().gt(0).max(1),
  lambda: z.number().min(0).max(100),
  tau: z.number().gt(0).max(10),
  projectionHead: z.boolean(),
  augment: AugmentConfig,
  split: SplitConfig,
  /** Column overrides applied on top of the stored schema (target and roles). */
  target: z.string().optional(),
  columns: z.array(ColumnOverride).optional(),
  /** Stop a model early after this many epochs without validation improvement (0 = never). */
  patience: z.number().int().min(0).max(1000),
  /** Train on a stratified sample of at most this many rows (large files); null = every row. */
  maxRows: z.number().int().min(10).nullable().optional()
})
export type RunConfig = z.infer<typeof RunConfig>
