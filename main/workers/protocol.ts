/** Messages between main and a training worker. Structured-clone only: typed arrays, plain objects. */
import type { BackendChoice, BackendInfo, DatasetSchema, ModelKind, RunConfig } from '../contract/index.ts'
import type { EngineJobResult, EngineProgress } from '../engine/types.ts'
import type { SerializedPreprocessor } from '../data/preprocess.ts'

/** Checkpoint interval (epochs inside a phase) when a task does not set one. */
export const DEFAULT_CHECKPOINT_EVERY = 5
/**
 * ...and at most once per this many seconds of training (a small model's 5 epochs take milliseconds, its save
 * tens: recipe F on breast_cancer wrote 680 MB of checkpoints in a 17 s run). Interrupts still save at once.
 */
export const DEFAULT_CHECKPOINT_SECONDS = 30

export interface TrainTask {
  kind: 'train'
  /** Folder written by data/saveTable. */
  datasetDir: string
  schema: DatasetSchema
  config: RunConfig
  model: ModelKind
  seed: number
  /** Repeated k-fold (config.split.kfold): the fold whose rows are the test part; the seed picks the partition. */
  fold?: number
  /** Where this task's checkpoint lives (resumed from when present); absent: no checkpoints. */
  checkpointDir?: string
  /** Checkpoint every this many epochs inside a phase (phase boundaries are always saved). */
  checkpointEvery?: number
  /** ...and not sooner than this many seconds after the last save (absent: 0). */
  checkpointSeconds?: number
}

/** Checks the worker end to end (backend up, progress flows, cancel is seen) with a small real computation. */
export interface ProbeTask {
  kind: 'probe'
  steps: number
  delayMs: number
}

export type Task = TrainTask | ProbeTask

export interface ProbeResult {
  steps: number
  /** Sum of a matMul computed on the worker's backend: proves the backend computes, not just loads. */
  checksum: number
}

export interface DataInfo {
  classNames: string[]
  imageShape: [number, number, number] | null
  trainRows: number
}

export type TaskResult =
  /** preprocessor: the preprocessing fitted on this seed's training rows (plain JSON), kept with the trained models. */
  { kind: 'train'; result: EngineJobResult; data: DataInfo; preprocessor?: SerializedPreprocessor } | { kind: 'probe'; result: ProbeResult }

export type ToWorker =
  | { type: 'init'; backend: BackendChoice; workers?: number }
  /** blasThreads: BLAS threads for the native kernels (cores ÷ busy workers; OpenBLAS' setting is process-wide).
   *  cancelFlag (Int32): 0 = run, 1 = cancel, 2 = save a checkpoint and stop (the task ends as cancelled). */
  | { type: 'job'; jobId: number; task: Task; cancelFlag: SharedArrayBuffer; blasThreads?: number }
  | { type: 'threads'; blasThreads: number }

export type FromWorker =
  | { type: 'ready'; backend: BackendInfo }
  | { type: 'init-failed'; message: string }
  | { type: 'progress'; jobId: number; progress: EngineProgress }
  | { type: 'data'; jobId: number; data: DataInfo }
  | { type: 'result'; jobId: number; result: TaskResult }
  | { type: 'error'; jobId: number; message: string; cancelled: boolean; code?: string }
