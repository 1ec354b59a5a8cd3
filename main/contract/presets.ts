/**
 * Default run settings per preset, with a one-line why for each, and a run-time estimate for the wizard. Policy,
 * not engine: the services, the wizard and the CLI all read it here.
 * Values the paper gives (shared/iunet-method.md) are marked (paper); the rest are this project's choices (ours).
 */
import type { BenchFigures } from './app.ts'
import type { DataFormat, DatasetKind } from './datasets.ts'
import { phaseEpochs, RECIPES, type Arch } from './recipes.ts'
import type { AugmentConfig, ModelKind, Preset, RunConfig } from './runConfig.ts'
import { foldCount, ratiosOf, runTasks } from './runShape.ts'
import { flipKeepsClass } from './vision.ts'

export interface PresetData {
  kind: DatasetKind
  rows: number
  nFeatures: number
  imageShape: [number, number, number] | null
  /** The file format the dataset came from (schema.format): tells CIFAR's natural images from SVHN's digits. */
  format?: DataFormat
  /** Rows of the published training part (schema.publishedSplit.train), when the dataset keeps one. */
  publishedTrain?: number
}

/** Folds when a user turns repeated k-fold on (ours: 5, the usual choice; 10 on very small data is the user's call). */
export const DEFAULT_KFOLD = 5

const TABULAR_MODELS: ModelKind[] = ['iunet', 'mlp', 'resnet', 'omp']
const IMAGE_MODELS: ModelKind[] = ['iunet', 'mlp', 'cnn', 'omp']
/** The paper's ablation rows: what PIS, ILO and pruning each contribute. */
const ABLATIONS: ModelKind[] = ['no-pis', 'no-ilo', 'iunet-noprune']

function augmentDefaults(data: PresetData): AugmentConfig {
  if (data.kind === 'tabular' || !data.imageShape) {
    return {
      translate: 0,
      flip: false,
      cropScale: 1,
      colorJitter: 0,
      grayscale: 0,
      // SCARF rate 0.4 (ours; method doc): replaces 40 % of the features with draws from their marginals.
      corruption: 0.4,
      // Gaussian noise off: SCARF alone is the tabular ILO transformation of the method; noise is an extra knob.
      noise: 0
    }
  }
  const [h, , c] = data.imageShape
  const colour = c === 3
  return {
    // Translation by H/8 with zero padding (32×32 → 4 px: the pad-4 random crop of CIFAR training; 8×8 digits → 1 px).
    translate: Math.max(1, Math.round(h / 8)),
    // Flip on for 32×32×3 natural images (CIFAR, the usual CIFAR augmentation); off for digits and text ("6 and 9
    // are distinct"): SVHN, MNIST-like and any other shape unless the user turns it on.
    flip: flipKeepsClass(data.imageShape, data.format),
    // Resized crop for colour images only (min area 0.6, ours: milder than SimCLR's 0.08, an MLP cannot undo more);
    // small grey images rely on translation.
    cropScale: colour ? 0.6 : 1,
    // Colour jitter and grayscale only exist for C = 3 (ours: SimCLR-like strength 0.4, grayscale p = 0.2).
    colorJitter: colour ? 0.4 : 0,
    grayscale: colour ? 0.2 : 0,
    corruption: 0,
    noise: 0
  }
}

/** Quick preset: 30 epochs on small data, down to 3 on large data (about 150k samples seen per phase). */
const QUICK_MAX_ROWS = 50_000

function quickEpochs(trainRows: number): number {
  return Math.max(3, Math.min(30, Math.round(150_000 / Math.max(1, trainRows))))
}

/** Batch size: a few dozen steps per epoch on small tables, at most 256 (images: 64 below 5k rows, else 128). */
function batchSizeFor(data: PresetData, trainRows: number): number {
  if (data.kind === 'image') return trainRows < 5000 ? 64 : 128
  // ≥ 8 steps per epoch so early epochs move; NT-Xent needs ≥ 2 inputs per batch, hence the floor of 16.
  const target = Math.max(16, Math.min(256, Math.floor(trainRows / 8)))
  return 2 ** Math.floor(Math.log2(target))
}

export function defaultRunConfig(preset: Preset, data: PresetData): Omit<RunConfig, 'datasetId'> {
  const image = data.kind === 'image'
  // 70/15/15: enough validation rows to pick the best epoch and enough test rows for a stable accuracy.
  const split = { train: 0.7, val: 0.15, test: 0.15, kfold: null }
  const trainRows = trainRowsOf({ split, maxRows: preset === 'quick' ? QUICK_MAX_ROWS : null }, data.rows, data.publishedTrain)
  const models = image ? [...IMAGE_MODELS] : [...TABULAR_MODELS]
  const common = {
    models,
    preset,
    // Three seeds: the minimum for a mean ± std the method doc asks for.
    seeds: 3,
    batchSize: batchSizeFor(data, trainRows),
    // κ = 0.125 (paper: the value behind its weight histograms; 0.0625 was too small on one dataset).
    kappa: 0.125,
    // λ = 1, τ = 0.5 (ours per the method doc; SimCLR's usual τ for small batches).
    lambda: 1,
    tau: 0.5,
    // Projection head on (ours): keeps the contrastive geometry off the representation the classifier reads.
    projectionHead: true,
    augment: augmentDefaults(data),
    split,
    // No weight decay (ours): the comparison is about architecture; decay would blur OMP's magnitude ranking.
    weightDecay: 0
  }
  if (preset === 'quick') {
    return {
      ...common,
      // One ratio, small supernet, few epochs: a whole comparison in well under a minute on iris/wine.
      compressions: [8],
      // ~30 Adam epochs at lr 3e-3 fit small tables and digits; big data gets fewer (≈150k samples per phase).
      epochs: quickEpochs(trainRows),
      finetuneEpochs: quickEpochs(trainRows),
      learningRate: 3e-3,
      // Depth 2 × 256: large enough that 1/8 of it is still a capable net, small enough to train in seconds.
      depth: 2,
      width: 256,
      // No early stopping: the budget is already short; the best-validation epoch is still kept.
      patience: 0,
      // A first look at a big file trains on a stratified 50k-row sample (ours): minutes, not hours.
      maxRows: data.rows > QUICK_MAX_ROWS ? QUICK_MAX_ROWS : null
    }
  }
  if (preset === 'standard') {
    return {
      ...common,
      // Two ratios give a first accuracy-vs-compression picture.
      compressions: [8, 16],
      epochs: image ? 30 : 100,
      finetuneEpochs: image ? 30 : 100,
      // Adam's usual lr 1e-3 (ours).
      learningRate: 1e-3,
      // Depth 3 × 512: a mid-size supernet, 1/16 of it still has ~thousands of weights per layer.
      depth: 3,
      width: image ? 1024 : 512,
      // Stop a model after 20 epochs without validation gain (ours): saves time on small data.
      patience: 20
    }
  }
  return {
    ...common,
    // Paper rows plus its ablations (no PIS, no ILO, no pruning).
    models: [...models, ...ABLATIONS],
    // Compression 8 and 16 (paper).
    compressions: [8, 16],
    // Long budgets (ours; the method doc gives none): 100 + 100 epochs, images 60 + 60.
    epochs: image ? 60 : 100,
    finetuneEpochs: image ? 60 : 100,
    learningRate: 1e-3,
    // Tabular: the 9 × 512 MLP backbone of MLP+C (Kadra et al. 2021), the benchmark the paper follows;
    // images: 3 × 1024 (ours; the method doc does not give the paper's vision MLP).
    depth: image ? 3 : 9,
    width: image ? 1024 : 512,
    // No early stopping (paper-like fixed budgets); the best-validation epoch is still kept.
    patience: 0,
    // Five seeds for tighter error bars (ours).
    seeds: 5
  }
}

// ───────────── run-time estimate ─────────────

/** Weights of the MLP bench.ts times (784-1024-1024-1024-10). */
const BENCH_MLP_WEIGHTS = 784 * 1024 + 2 * 1024 * 1024 + 1024 * 10
/** Fallbacks when no bench was measured yet (wasm on one core, order of magnitude). */
const FALLBACK_MLP_SAMPLES_PER_SECOND = 3000
const FALLBACK_CNN_IMAGES_PER_SECOND = 300
/** Fixed cost per optimizer step (kernel dispatch, data copies) that dominates tiny models. */
const STEP_OVERHEAD_SECONDS = 0.004

/**
 * Rows a task trains on: the train share of the (capped) rows; with k-fold (k−1)/k of them less the validation part
 * cut from that remainder in the ratio val : train; with a published split (CIFAR, SVHN) its training part less the
 * validation cut from it in the same ratio.
 */
export function trainRowsOf(config: Pick<RunConfig, 'split' | 'maxRows'>, rows: number, publishedTrain?: number): number {
  const used = config.maxRows ? Math.min(rows, config.maxRows) : rows
  const k = foldCount(config)
  const s = config.split
  const kept = s.train / (s.train + s.val)
  const share = publishedTrain !== undefined ? (publishedTrain / Math.max(1, rows)) * kept : k ? ((k - 1) / k) * kept : s.train
  return Math.max(1, Math.floor(used * share))
}

/** Rough training time in seconds for the whole run (every task of runTasks: models × seeds × folds), for the wizard. */
export function estimateSeconds(config: Omit<RunConfig, 'datasetId'>, data: PresetData, bench: BenchFigures | null): number {
  const trainRows = trainRowsOf(config, data.rows, data.publishedTrain)
  const stepsPerEpoch = Math.ceil(trainRows / config.batchSize)
  const mlpWeights = (() => {
    const w = data.nFeatures * config.width + (config.depth - 1) * config.width * config.width
    return w + config.width * 10
  })()
  const mlpRate = (bench?.mlpSamplesPerSecond ?? FALLBACK_MLP_SAMPLES_PER_SECOND) * (BENCH_MLP_WEIGHTS / Math.max(1, mlpWeights))
  const pixels = data.imageShape ? data.imageShape[0] * data.imageShape[1] * data.imageShape[2] : 784
  // cnn bench images are 28×28×1; cost grows about linearly with pixels.
  const cnnRate = (bench?.cnnImagesPerSecond ?? FALLBACK_CNN_IMAGES_PER_SECOND) * (784 / pixels)
  const epochCost = (rate: number, passes: number): number => (trainRows * passes) / rate + stepsPerEpoch * STEP_OVERHEAD_SECONDS * passes
  const ratios = ratiosOf(config).length
  // Cost of one forward row through each architecture, in samples/s. Image models use the CNN bench (ResNet ≈ 3×
  // the CNN, measured on digits); the tabular ResNet (BN, residual blocks) ≈ 2.5 MLP passes, measured on iris.
  const archCost = (arch: Arch): { rate: number; passes: number } =>
    arch === 'mlp'
      ? { rate: mlpRate, passes: 1 }
      : data.kind === 'image'
        ? { rate: cnnRate * (arch === 'resnet' ? 1 / 3 : 1), passes: 1 }
        : { rate: mlpRate, passes: 2.5 }
  const taskSeconds = (m: ModelKind): number => {
    const recipe = RECIPES[m]
    const { rate, passes } = archCost(recipe.arch)
    return recipe.phases.reduce((s, p) => s + phaseEpochs(p, config) * (p.perRatio ? ratios : 1) * epochCost(rate, passes * p.passesPerStep), 0)
  }
  return Math.round(runTasks(config).reduce((s, t) => s + taskSeconds(t.model), 0))
}
