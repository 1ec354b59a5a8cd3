/**
 * What the engine takes and gives. The engine is pure: arrays and options in, results out; no Electron,
 * SQLite or HTTP. It runs inside a training worker, the CLI, or a test alike.
 */
import type { EpochMetrics, FirstLayerArtifact, ModelKind, ModelResult, Phase, RunConfig } from '../contract/index.ts'

export interface SplitArrays {
  /** n × nFeatures, row-major (images: each row is H×W×C row-major, values standardized/scaled). */
  x: Float32Array
  /** Class indices 0..nClasses-1. */
  y: Int32Array
  n: number
}

/** A dataset after split + preprocessing (fitted on train only), ready to train on. */
export interface PreparedData {
  kind: 'tabular' | 'image'
  nFeatures: number
  nClasses: number
  classNames: string[]
  imageShape: [number, number, number] | null
  /** One entry per original feature: [offset, length] in the encoded vector; a one-hot block counts as one. */
  featureGroups: Array<[number, number]>
  /** 1 where the encoded column is a standardized numeric feature (Gaussian noise applies there). */
  numericMask: Uint8Array
  train: SplitArrays
  val: SplitArrays
  test: SplitArrays
}

/** One model, one seed; pruned models are pruned to every ratio in `config.compressions`. */
export interface EngineJob {
  model: ModelKind
  seed: number
  config: RunConfig
  data: PreparedData
}

export interface EngineProgress {
  model: ModelKind
  seed: number
  compression: number
  phase: Phase
  epoch: number
  totalEpochs: number
  /** Set once per finished epoch. */
  metrics: EpochMetrics | null
}

export interface EngineHooks {
  onProgress(p: EngineProgress): void
  /** Polled between batches; when true the engine stops and throws a CancelledError. */
  isCancelled(): boolean
}

export interface EngineJobResult {
  results: ModelResult[]
  firstLayer: FirstLayerArtifact[]
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled')
    this.name = 'CancelledError'
  }
}
