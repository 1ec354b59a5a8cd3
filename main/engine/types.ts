/**
 * What the engine takes and gives. The engine is pure: arrays and options in, results out; no Electron,
 * SQLite or HTTP. It runs inside a training worker, the CLI, or a test alike.
 */
import type { EpochMetrics, FirstLayerArtifact, ModelKind, ModelResult, Phase, PreparedData, RunConfig, TrainPhase } from '../contract/index.ts'
import type { FitState } from './fitState.ts'
import type { TrainedModel } from './export/trained.ts'
import type { KernelCalls } from './kernels/native.ts'

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
  /** Where the job's progress is saved and resumed from (absent: no checkpoints). */
  checkpoint?: CheckpointHooks
}

/** A job's saved progress: enough to finish it with results identical to an uninterrupted job. */
export interface TaskCheckpoint {
  version: 1
  model: ModelKind
  seed: number
  /** Pruned rows, once the supernet is trained: its prunable weights (what OMP ranks) and its fit summary. */
  supernet: { trained: Map<string, Float32Array>; prunable: string[]; seconds: number; valAccuracy: number; bestEpoch: number; epochsRun: number } | null
  /** Finished ratios, in order (one result each), with their first-layer artifacts. */
  done: EngineJobResult
  /** The phase in progress and its state; null at a phase boundary. */
  fit: { phase: TrainPhase; compression: number; state: FitState } | null
}

export interface CheckpointHooks {
  load(): TaskCheckpoint | null
  /** Must be atomic: a crash leaves the previous checkpoint or the new one, never a mix. */
  save(c: TaskCheckpoint): void
  /** Save every this many epochs inside a phase (phase boundaries are always saved). */
  everyEpochs: number
  /**
   * ...and not sooner than this many seconds of training after the last save (default 0). Small models finish an
   * epoch in milliseconds while a save writes weights, moments and best weights and fsyncs them: without a floor
   * the saves of a small comparison cost more than its training.
   */
  minSeconds?: number
  /** Polled between batches: when true the engine saves a checkpoint and throws a CancelledError. */
  stopRequested(): boolean
}

export interface EngineJobResult {
  results: ModelResult[]
  firstLayer: FirstLayerArtifact[]
  /** The evaluated (best-epoch) weights of every trained row: one per ratio for pruned models. */
  models?: TrainedModel[]
  /**
   * Calls of each native kernel this job made (kernels/native.ts, counted by the addon per thread; kernels with none
   * left out); absent without the native addon. Shows which kernels a worker-run job really used.
   */
  kernelCalls?: KernelCalls
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled')
    this.name = 'CancelledError'
  }
}
