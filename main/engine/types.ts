/**
 * What the engine takes and gives. The engine is pure: arrays and options in, results out; no Electron,
 * SQLite or HTTP. It runs inside a training worker, the CLI, or a test alike.
 */
import type { EpochMetrics, FirstLayerArtifact, ModelKind, ModelResult, Phase, PreparedData, RunConfig } from '../contract/index.ts'

export type { PreparedData, SplitArrays } from '../contract/index.ts'

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
