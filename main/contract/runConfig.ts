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

/** What a setting says about itself: shown by the wizard's settings step and the CLI's help, both generated from it. */
export interface SettingMeta {
  /** Short name, as a form label ("Finetune epochs"). */
  label: string
  /** One line: what it does and why one would change it. */
  help: string
  /** Increment of the wizard's number input. */
  step?: number
  /** Unit shown after the value ("px"). */
  unit?: string
}

/** Every RunConfig setting's label and help; bounds and types stay on the schema itself (read by settingBounds). */
export const settingRegistry = z.registry<SettingMeta>()
const setting = <T extends z.ZodType>(schema: T, meta: SettingMeta): T => (settingRegistry.add(schema, meta), schema)

export const SplitConfig = z
  .object({
    train: setting(z.number().gt(0).lt(1), { label: 'Train share', help: 'Share of the rows trained on (train + val + test = 1).', step: 0.05 }),
    val: setting(z.number().gt(0).lt(1), { label: 'Validation share', help: 'Rows that pick the best epoch and stop early.', step: 0.05 }),
    test: setting(z.number().gt(0).lt(1), { label: 'Test share', help: 'Rows scored once, at the end.', step: 0.05 }),
    /** Repeated stratified k-fold instead of one split (small data): k folds, the val split is cut from train. */
    kfold: setting(z.number().int().min(2).max(20).nullable(), {
      label: 'Folds (k)',
      help: 'Repeated stratified k-fold: each seed partitions the rows into k folds, each fold is the test part once; validation is cut from the rest.'
    })
  })
  .refine((s) => Math.abs(s.train + s.val + s.test - 1) < 1e-6, { message: 'train + val + test must sum to 1' })
export type SplitConfig = z.infer<typeof SplitConfig>

export const AugmentConfig = z.object({
  translate: setting(z.number().int().min(0).max(16), { label: 'Translate', help: 'Images: largest random shift, with zero padding.', unit: 'px' }),
  flip: setting(z.boolean(), { label: 'Horizontal flip', help: 'Images: random left-right flip (off for digits and text: 6 and 9 differ).' }),
  cropScale: setting(z.number().gt(0).max(1), { label: 'Crop scale', help: 'Images: random resized crop, smallest area kept (1 = off).', step: 0.05 }),
  colorJitter: setting(z.number().min(0).max(1), {
    label: 'Colour jitter',
    help: 'Images (colour): brightness/contrast jitter strength (0 = off).',
    step: 0.05
  }),
  grayscale: setting(z.number().min(0).max(1), { label: 'Grayscale', help: 'Images (colour): probability of turning a view grey.', step: 0.05 }),
  corruption: setting(z.number().min(0).max(1), {
    label: 'SCARF corruption',
    help: 'Tabular: share of features replaced by draws from their marginals.',
    step: 0.05
  }),
  noise: setting(z.number().min(0).max(2), {
    label: 'Gaussian noise',
    help: 'Tabular: std of noise added to standardized numeric features (0 = off).',
    step: 0.05
  })
})
export type AugmentConfig = z.infer<typeof AugmentConfig>

export const RunConfig = z.object({
  datasetId: z.string().min(1),
  name: setting(z.string().max(200).optional(), { label: 'Run name', help: 'Shown in the Runs list (default: dataset · models · preset).' }),
  models: setting(z.array(ModelKind).min(1, 'pick at least one model'), { label: 'Models', help: 'The rows of the comparison.' }),
  preset: setting(Preset, { label: 'Preset', help: 'Defaults for every setting below: quick, standard or paper.' }),
  seeds: setting(z.number().int().min(1).max(20), {
    label: 'Seeds',
    help: 'Repeats with a different init and split (with k-fold: a different partition); ≥ 3 for mean ± std.'
  }),
  compressions: setting(z.array(z.number().min(1).max(4096)).min(1), {
    label: 'Compression ratios',
    help: "Keep 1/r of the encoder's weights; several ratios give an accuracy-vs-compression curve."
  }),
  epochs: setting(z.number().int().min(1).max(2000), {
    label: 'Epochs',
    help: 'Supernetwork epochs of pruned models; unpruned models train epochs + finetune epochs (the same budget).'
  }),
  finetuneEpochs: setting(z.number().int().min(1).max(2000), { label: 'Finetune epochs', help: 'Epochs of the pruned, rewound subnetwork, per ratio.' }),
  batchSize: setting(z.number().int().min(1).max(4096), {
    label: 'Batch size',
    help: 'Rows per step (NT-Xent, for models trained with ILO, needs ≥ 2).',
    step: 16
  }),
  learningRate: setting(z.number().gt(0).max(1), { label: 'Learning rate', help: 'Adam(W) step size.', step: 0.0005 }),
  weightDecay: setting(z.number().min(0).max(1), { label: 'Weight decay', help: "AdamW decay (0 keeps OMP's magnitude ranking honest).", step: 0.0001 }),
  depth: setting(z.number().int().min(1).max(12), { label: 'Depth', help: 'Hidden layers of the MLP supernetwork.' }),
  width: setting(z.number().int().min(4).max(8192), { label: 'Width', help: 'Units per hidden layer of the MLP supernetwork.', step: 64 }),
  kappa: setting(z.number().gt(0).max(1), {
    label: 'κ (PIS init scale)',
    help: 'PIS: initial weights × κ, so only useful weights grow (paper 0.125; 1 = no PIS).',
    step: 0.025
  }),
  lambda: setting(z.number().min(0).max(100), { label: 'λ (contrastive weight)', help: 'ILO = CE + λ·NT-Xent; 0 turns the contrastive part off.', step: 0.25 }),
  tau: setting(z.number().gt(0).max(10), { label: 'τ (temperature)', help: 'ILO: NT-Xent softmax temperature; lower = harder negatives.', step: 0.05 }),
  projectionHead: setting(z.boolean(), { label: 'Projection head', help: 'ILO: contrastive loss on a small head, not on the encoder output.' }),
  augment: AugmentConfig,
  split: SplitConfig,
  /** Column overrides applied on top of the stored schema (target and roles). */
  target: setting(z.string().optional(), { label: 'Target', help: 'The column to predict (default: the stored target).' }),
  columns: z.array(ColumnOverride).optional(),
  patience: setting(z.number().int().min(0).max(1000), {
    label: 'Patience',
    help: 'Early stopping: epochs without validation gain before a model stops (0 = never).'
  }),
  maxRows: setting(z.number().int().min(10).nullable().optional(), {
    label: 'Row cap',
    help: 'Train on a stratified sample of at most this many rows (quick preset: 50,000 on big files); none = every row.'
  })
})
export type RunConfig = z.infer<typeof RunConfig>
