/**
 * The state a training phase checkpoints (fit.ts saves and resumes it; pipeline.ts and the worker carry it), in a
 * file of its own so the engine's shared types need not import the training loop.
 */
import type { EpochMetrics } from '../contract/index.ts'
import type { RngState } from '../lib/random.ts'
import type { AdamWState } from './optim.ts'

/** Everything a phase needs to continue exactly where it stopped. */
export interface FitState {
  /** The epoch in progress (1-based) and its next batch; batch 0 with order null = the epoch has not begun. */
  epoch: number
  batch: number
  /** The epoch's batch order, once drawn. */
  order: Int32Array | null
  sums: EpochSums
  shuffleRng: RngState
  augmentRng: RngState
  best: { epoch: number; acc: number; loss: number; weights: Map<string, Float32Array> | null }
  history: EpochMetrics[]
  weights: Map<string, Float32Array>
  optimizer: AdamWState
  /** Training seconds before this state was saved. */
  seconds: number
}

export interface EpochSums {
  lossSum: number
  nceSum: number
  correct: number
  seen: number
}
