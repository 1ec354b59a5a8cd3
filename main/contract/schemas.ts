/**
 * The one contract between the renderer and the services.
 *
 * Every call (request → response) and every event the renderer uses is declared here as a zod schema; main
 * validates every incoming request with the same schema, and the types below are inferred from them, so the
 * compiler shows every place that must follow a change. Imported by main, preload and renderer alike: keep it
 * free of Node and DOM imports.
 */
import { z } from 'zod'

// ───────────────────────────── domain: datasets ─────────────────────────────

export const ColumnType = z.enum(['numeric', 'categorical', 'boolean', 'text', 'constant'])
export type ColumnType = z.infer<typeof ColumnType>
export const ColumnRole = z.enum(['feature', 'target', 'ignore'])
export type ColumnRole = z.infer<typeof ColumnRole>

export const ValueCount = z.object({ value: z.string(), count: z.number().int().nonnegative() })
export type ValueCount = z.infer<typeof ValueCount>

export const ColumnSchema = z.object({
  name: z.string(),
  type: ColumnType,
  role: ColumnRole,
  /** Cells that are empty, NA, N/A, ?, null or NaN. */
  missing: z.number().int().nonnegative(),
  distinct: z.number().int().nonnegative(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  /** Most frequent values (categorical/boolean/text), most frequent first. */
  topValues: z.array(ValueCount),
  /** Why the role or type was suggested (e.g. "ID-like: every value distinct"). */
  note: z.string().optional()
})
export type ColumnSchema = z.infer<typeof ColumnSchema>

/** Height × width × channels. */
export const ImageShape = z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()])
export type ImageShape = z.infer<typeof ImageShape>

export const DatasetKind = z.enum(['tabular', 'image'])
export type DatasetKind = z.infer<typeof DatasetKind>

export const DatasetSchema = z.object({
  kind: DatasetKind,
  rows: z.number().int().nonnegative(),
  columns: z.array(ColumnSchema),
  target: z.string(),
  imageShape: ImageShape.nullable(),
  /** Class counts of the target, largest first. */
  classes: z.array(ValueCount),
  warnings: z.array(z.string())
})
export type DatasetSchema = z.infer<typeof DatasetSchema>

export const DatasetSummary = z.object({
  id: z.string(),
  name: z.string(),
  kind: DatasetKind,
  rows: z.number().int(),
  features: z.number().int(),
  classes: z.number().int(),
  target: z.string(),
  imageShape: ImageShape.nullable(),
  sourcePath: z.string(),
  hash: z.string(),
  sizeBytes: z.number().int(),
  createdAt: z.string()
})
export type DatasetSummary = z.infer<typeof DatasetSummary>

export const DatasetDetail = DatasetSummary.extend({ schema: DatasetSchema })
export type DatasetDetail = z.infer<typeof DatasetDetail>

export const HistogramBin = z.object({ x0: z.number(), x1: z.number(), count: z.number().int() })
export const DatasetPreview = z.object({
  columns: z.array(z.string()),
  /** First rows as displayed strings (null = missing). */
  rows: z.array(z.array(z.string().nullable())),
  classBalance: z.array(ValueCount),
  histograms: z.array(z.object({ column: z.string(), bins: z.array(HistogramBin) })),
  /** Image datasets: a few samples, pixel values scaled to 0..1, row-major H×W×C, with their labels. */
  images: z.array(z.object({ label: z.string(), pixels: z.array(z.number()) }))
})
export type DatasetPreview = z.infer<typeof DatasetPreview>

export const AugmentPreview = z.object({
  imageShape: ImageShape,
  /** Each sample: its label, the original pixels and augmented views, 0..1, row-major H×W×C. */
  samples: z.array(z.object({ label: z.string(), original: z.array(z.number()), views: z.array(z.array(z.number())) })),
  /** The ILO transformations applied, in words. */
  describe: z.string()
})
export type AugmentPreview = z.infer<typeof AugmentPreview>

export const ExampleDataset = z.object({
  file: z.string(),
  title: z.string(),
  description: z.string(),
  path: z.string(),
  imageShape: ImageShape.nullable()
})
export type ExampleDataset = z.infer<typeof ExampleDataset>

/** What the user may change in an inferred schema before importing or running. */
export const ColumnOverride = z.object({
  name: z.string().min(1),
  type: ColumnType.optional(),
  role: ColumnRole.optional()
})
export type ColumnOverride = z.infer<typeof ColumnOverride>

export const ImportOptions = z.object({
  /** Absolute path of a CSV file, an IDX file (.gz or not) or a folder of class sub-folders of images. */
  path: z.string().min(1, 'path is empty'),
  target: z.string().min(1).optional(),
  imageShape: ImageShape.optional(),
  columns: z.array(ColumnOverride).optional(),
  name: z.string().min(1).max(200).optional(),
  /** When the same file is already stored, return that dataset instead of a conflict (the CLI's `run --data`). */
  reuseExisting: z.boolean().optional()
})
export type ImportOptions = z.infer<typeof ImportOptions>

// ───────────────────────────── domain: runs ─────────────────────────────

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

/** Result of one model, one seed (and one compression ratio for pruned models). */
export const ModelResult = z.object({
  model: ModelKind,
  seed: z.number().int(),
  /** Repeated k-fold runs: the fold (0..k−1) that was the test part; the seed picks the repeat's partition. */
  fold: z.number().int().min(0).optional(),
  /** Compression ratio actually applied (1 for unpruned models). */
  compression: z.number(),
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
  layers: z.array(LayerSparsity)
})
export type ModelResult = z.infer<typeof ModelResult>

export const EpochMetrics = z.object({
  model: ModelKind,
  seed: z.number().int(),
  fold: z.number().int().min(0).optional(),
  compression: z.number(),
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
  inferenceMsPerExample: MeanStd
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
  model: ModelKind,
  seed: z.number().int(),
  fold: z.number().int().min(0).optional(),
  compression: z.number(),
  inputs: z.number().int(),
  /** Hidden units included (a sample of the layer, the most connected first). */
  units: z.number().int(),
  /** units × inputs, row-major: trained weights of the supernetwork (before pruning) or of the dense model. */
  weights: z.array(z.number()),
  /** units × inputs 0/1 mask (all ones for dense models). */
  mask: z.array(z.number())
})
export type FirstLayerArtifact = z.infer<typeof FirstLayerArtifact>

export const RunDetail = RunSummary.extend({
  config: RunConfig,
  dataset: DatasetSummary.nullable(),
  results: z.array(ModelResult),
  aggregates: z.array(ModelAggregate),
  /** Class names in the order of confusion-matrix rows. */
  classNames: z.array(z.string()),
  imageShape: ImageShape.nullable()
})
export type RunDetail = z.infer<typeof RunDetail>

// ───────────────────────────── domain: app ─────────────────────────────

export const BackendName = z.enum(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'])
export type BackendName = z.infer<typeof BackendName>
export const BackendChoice = z.enum(['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'])
export type BackendChoice = z.infer<typeof BackendChoice>

export const BackendInfo = z.object({
  name: BackendName,
  /** Threads each training worker uses. */
  threads: z.number().int(),
  /** Parallel training workers. */
  workers: z.number().int(),
  /** Backends that were tried and why they were skipped. */
  skipped: z.array(z.object({ name: BackendName, reason: z.string() })),
  /** Native BLAS kernels on the wasm heap (native/): whether they are used, and why not. */
  native: z
    .object({
      available: z.boolean(),
      reason: z.string().nullable(),
      /** e.g. "OpenBLAS 0.3.21" */
      library: z.string().nullable(),
      /** BLAS kernel family, e.g. "SkylakeX" */
      kernels: z.string().nullable(),
      threads: z.number().int()
    })
    .optional(),
  /** The WebGPU adapter (webgpu only); `auto` never picks a software one (llvmpipe, SwiftShader, lavapipe). */
  adapter: z
    .object({
      vendor: z.string(),
      architecture: z.string(),
      device: z.string(),
      description: z.string(),
      software: z.boolean(),
      /** Dawn backend it was reached through ('default' = Vulkan/Metal/D3D12, 'opengles'), or 'browser'. */
      via: z.string()
    })
    .optional()
})
export type BackendInfo = z.infer<typeof BackendInfo>

export const Settings = z.object({
  backend: BackendChoice,
  /** 0 = one worker per CPU core. */
  workers: z.number().int().min(0).max(64),
  theme: z.enum(['auto', 'light', 'dark'])
})
export type Settings = z.infer<typeof Settings>

export const BenchFigures = z.object({
  backend: z.string(),
  mlpSamplesPerSecond: z.number(),
  cnnImagesPerSecond: z.number(),
  quickComparisonSeconds: z.number().nullable(),
  measuredAt: z.string()
})
export type BenchFigures = z.infer<typeof BenchFigures>

export const AppInfo = z.object({
  version: z.string(),
  dataDir: z.string(),
  transport: z.enum(['ipc', 'websocket']),
  backend: BackendInfo,
  settings: Settings,
  bench: BenchFigures.nullable()
})
export type AppInfo = z.infer<typeof AppInfo>

// ───────────────────────────── domain: studies ─────────────────────────────

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

// ───────────────────────────── calls ─────────────────────────────

const Empty = z.object({}).strict()
const Id = z.object({ id: z.string().min(1, 'id is empty') }).strict()
const Ok = z.object({ ok: z.literal(true) })

/** One stored trained model of a run: seed defaults to the lowest stored, ratio to the highest, fold to the first. */
const StoredModelRef = z.object({
  runId: z.string().min(1),
  model: ModelKind,
  seed: z.number().int().min(0).optional(),
  fold: z.number().int().min(0).optional(),
  ratio: z.number().min(1).optional()
})

/** channel → request and response schemas. */
export const calls = {
  'app.info': { req: Empty, res: AppInfo },
  'settings.set': { req: Settings.partial().strict(), res: Settings },
  'datasets.list': { req: Empty, res: z.array(DatasetSummary) },
  'datasets.examples': { req: Empty, res: z.array(ExampleDataset) },
  /** Infer the schema of a file without storing anything. */
  'datasets.inspect': {
    req: z.object({ path: z.string().min(1, 'path is empty'), target: z.string().optional(), imageShape: ImageShape.optional() }).strict(),
    res: DatasetSchema
  },
  /**
   * Upload a dropped file's bytes in chunks (browser mode: the renderer has no file paths). The first chunk
   * (offset 0, no uploadId) starts an upload; later chunks append at `offset`; the answer carries the path main
   * can read once `done`.
   */
  'datasets.upload': {
    req: z
      .object({
        name: z.string().min(1).max(255),
        uploadId: z
          .string()
          .regex(/^[\w-]{8,64}$/, 'uploadId is malformed')
          .optional(),
        offset: z.number().int().min(0).default(0),
        /** base64 of this chunk's bytes. */
        data: z.string().max(16 * 1024 * 1024, 'upload chunk too large (max 12 MB)'),
        done: z.boolean().default(true)
      })
      .strict(),
    res: z.object({ path: z.string(), uploadId: z.string(), received: z.number().int() })
  },
  'datasets.import': { req: ImportOptions.strict(), res: DatasetDetail },
  'datasets.get': { req: Id, res: DatasetDetail },
  'datasets.preview': { req: z.object({ id: z.string().min(1), rows: z.number().int().min(1).max(500).default(20) }).strict(), res: DatasetPreview },
  'datasets.delete': { req: Id, res: Ok },
  /** Saves schema edits (target, column types and roles, name); validated like an import. */
  'datasets.update': {
    req: z
      .object({
        id: z.string().min(1),
        name: z.string().min(1).max(200).optional(),
        target: z.string().min(1).optional(),
        columns: z.array(ColumnOverride).optional()
      })
      .strict(),
    res: DatasetDetail
  },
  /** Image datasets: a few samples with ILO-augmented views, to see what the invariances are. */
  'datasets.augmentPreview': {
    req: z
      .object({
        id: z.string().min(1),
        augment: AugmentConfig,
        count: z.number().int().min(1).max(16).default(6),
        views: z.number().int().min(1).max(8).default(4),
        seed: z.number().int().min(0).default(0)
      })
      .strict(),
    res: AugmentPreview
  },
  'runs.list': { req: Empty, res: z.array(RunSummary) },
  'runs.get': { req: Id, res: RunDetail },
  'runs.defaults': {
    req: z.object({ datasetId: z.string().min(1), preset: Preset }).strict(),
    res: RunConfig
  },
  'runs.start': { req: RunConfig, res: RunSummary },
  /** Continues an interrupted or failed run from its checkpoints; finished tasks are skipped. */
  'runs.resume': { req: Id, res: RunSummary },
  /** Estimated wall time of a run from the latest bench figures (or conservative defaults). */
  'runs.estimate': { req: RunConfig, res: z.object({ seconds: z.number(), basis: z.enum(['bench', 'default']) }) },
  'runs.cancel': { req: Id, res: Ok },
  'runs.delete': { req: Id, res: Ok },
  'runs.metrics': { req: Id, res: z.array(EpochMetrics) },
  'runs.artifacts': { req: Id, res: z.array(FirstLayerArtifact) },
  'studies.list': { req: Empty, res: z.array(StudySummary) },
  /**
   * Prepares (or finds: the same spec over the same datasets is the same study) and starts a study on this
   * process's pool; answers at once, progress follows as study.progress / studies.changed. Finished cells are kept.
   */
  'studies.start': { req: StudySpec, res: StudySummary },
  /** Starts a stored study's unfinished cells again (after studies.cancel, a failed cell or a restart). */
  'studies.resume': { req: Id, res: StudySummary },
  /** Stops a study this process is running: no further cells start, cells training now are cancelled. */
  'studies.cancel': { req: Id, res: StudySummary },
  /** A study's cells and estimated wall time (the sum of each cell's runs.estimate); stored datasets (ids) only. */
  'studies.estimate': {
    req: StudySpec,
    res: z.object({ cells: z.number().int(), tasks: z.number().int(), seconds: z.number(), basis: z.enum(['bench', 'default']) })
  },
  /** A study's cells and its analysis; baseline / metric / alpha override the spec's for this answer. */
  'studies.get': {
    req: z.object({ id: z.string().min(1), baseline: ModelKind.optional(), metric: StudyMetric.optional(), alpha: z.number().gt(0).lt(1).optional() }).strict(),
    res: StudyDetail
  },
  /** Writes an export bundle (model.onnx, tfjs weights manifest, preprocessing.json, card.md) of one stored trained
   *  model; seed defaults to the lowest stored, ratio to the highest; out defaults to <dataDir>/exports/…. */
  'models.export': {
    req: StoredModelRef.extend({ out: z.string().min(1).optional() }).strict(),
    res: z.object({ dir: z.string(), files: z.array(z.string()) })
  },
  /** The same bundle as a zip (base64) in the answer, written nowhere: for a browser that cannot reach the server's disk. */
  'models.download': {
    req: StoredModelRef.strict(),
    res: z.object({ name: z.string(), zip: z.string(), bytes: z.number().int() })
  },
  /** Predicts the class of every row of a CSV with an export bundle (or a stored model folder). */
  'models.predict': {
    req: z.object({ model: z.string().min(1), data: z.string().min(1), out: z.string().min(1).optional() }).strict(),
    res: z.object({
      rows: z.number().int(),
      classNames: z.array(z.string()),
      out: z.string().nullable(),
      predictions: z.array(z.object({ predicted: z.string(), probabilities: z.array(z.number()) })),
      /** Per categorical column: rows whose value the model never saw, encoded as "other". */
      pooledIntoOther: z.record(z.string(), z.number().int())
    })
  }
} as const

export type Channel = keyof typeof calls
export type Req<C extends Channel> = z.input<(typeof calls)[C]['req']>
export type Res<C extends Channel> = z.infer<(typeof calls)[C]['res']>

// ───────────────────────────── events ─────────────────────────────

export const RunProgress = z.object({
  runId: z.string(),
  model: ModelKind,
  seed: z.number().int(),
  fold: z.number().int().min(0).optional(),
  compression: z.number(),
  phase: Phase,
  epoch: z.number().int(),
  totalEpochs: z.number().int(),
  /** 0..1 over the whole run. */
  runProgress: z.number(),
  etaSeconds: z.number().nullable(),
  metrics: EpochMetrics.nullable()
})
export type RunProgress = z.infer<typeof RunProgress>

export const events = {
  'run.progress': RunProgress,
  'run.status': z.object({ runId: z.string(), status: RunStatus, error: z.string().nullable() }),
  'run.result': z.object({ runId: z.string(), result: ModelResult }),
  'import.progress': z.object({ path: z.string(), bytesRead: z.number(), totalBytes: z.number(), rows: z.number().int() }),
  'datasets.changed': z.object({}),
  'runs.changed': z.object({}),
  'study.progress': StudyProgress,
  'studies.changed': z.object({})
} as const
export type EventName = keyof typeof events
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>

// ───────────────────────────── wire ─────────────────────────────

/** Errors cross the wire as this shape; `code` tells the UI what kind of fix to offer. */
export const ApiErrorShape = z.object({
  code: z.enum(['invalid-request', 'invalid-data', 'not-found', 'conflict', 'cancelled', 'internal']),
  message: z.string(),
  details: z.array(z.string()).optional()
})
export type ApiErrorShape = z.infer<typeof ApiErrorShape>

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorShape['code'],
    message: string,
    readonly details?: string[]
  ) {
    super(message)
    this.name = 'ApiError'
  }
  toJSON(): ApiErrorShape {
    return { code: this.code, message: this.message, details: this.details }
  }
}

/** Turns a zod failure into one readable sentence per problem, naming the field. */
export function describeZodError(channel: string, error: z.ZodError): ApiError {
  const details = error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(payload)'}: ${i.message}`)
  return new ApiError('invalid-request', `Invalid request for ${channel}: ${details.join('; ')}`, details)
}

/** Validates a request for `channel`; throws an ApiError naming every bad field. */
export function parseRequest<C extends Channel>(channel: C, payload: unknown): z.infer<(typeof calls)[C]['req']> {
  const spec = calls[channel]
  if (!spec) throw new ApiError('invalid-request', `Unknown channel: ${String(channel)}`)
  const r = spec.req.safeParse(payload === undefined ? {} : payload)
  if (!r.success) throw describeZodError(channel, r.error)
  return r.data as z.infer<(typeof calls)[C]['req']>
}

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name)
}

/** The API as the renderer sees it, whatever the transport. */
export interface WorkbenchApi {
  transport: 'ipc' | 'websocket'
  call<C extends Channel>(channel: C, req: Req<C>): Promise<Res<C>>
  on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void
}

/** Name of the global the preload exposes in Electron. */
export const PRELOAD_GLOBAL = 'iunet'
