/**
 * The job protocol between main and a training worker, whichever hosts it: a Node worker thread (train.worker.ts)
 * or the browser GPU page (gpu-trainer.ts). Structured-clone only: typed arrays, plain objects. Both hosts serve it
 * through one module (jobHost.ts); what differs is the transport (see ToWorker and ToPage).
 */
import type { BackendChoice, BackendInfo, DatasetSchema, ModelKind, RunConfig } from '../contract/index.ts'
import type { EngineJobResult, EngineProgress, PreparedData, TaskCheckpoint } from '../engine/types.ts'
import type { SerializedPreprocessor } from '../data/preprocess.ts'
import type { Table } from '../data/index.ts'

/** Checkpoint interval (epochs inside a phase) when a task does not set one. */
export const DEFAULT_CHECKPOINT_EVERY = 5
/**
 * ...and at most once per this many seconds of training (a small model's 5 epochs take milliseconds, its save
 * tens: recipe F on breast_cancer wrote 680 MB of checkpoints in a 17 s run). Interrupts still save at once.
 */
export const DEFAULT_CHECKPOINT_SECONDS = 30

/**
 * What main asks of a running job: the value of the job's shared cancel flag (Int32, Node workers) and of a 'cancel'
 * message (the page, which shares no memory with main). A stop saves a checkpoint and ends the job as cancelled; a
 * job that keeps no checkpoints ends at a stop as at a cancel.
 */
export const CancelCode = { run: 0, cancel: 1, checkpointAndStop: 2 } as const
export type CancelCode = (typeof CancelCode)[keyof typeof CancelCode]
/** The codes a 'cancel' message carries (running needs no message). */
export type StopCode = Exclude<CancelCode, typeof CancelCode.run>

export interface TrainTask {
  kind: 'train'
  /** Folder written by data/saveTable. */
  datasetDir: string
  /**
   * That folder's table already read into shared memory (loadTable with `shared`), one copy for every worker of
   * the machine: a worker prepares its split from it, and an image table's pixels stay in it (a split is row
   * indices). Absent: the worker reads the folder itself.
   */
  table?: Table
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

/**
 * A train task as the page receives it: the page has no file system, so its split comes prepared (by main, with the
 * same data code as the Node worker) and its checkpoint comes with it. With `checkpointEvery` set the page
 * checkpoints (as 'checkpoint' messages) and starts from `resumeFrom` when one was saved before.
 */
export interface PreparedTrainTask extends Omit<TrainTask, 'checkpointDir'> {
  prepared: PreparedData & { preprocessor?: SerializedPreprocessor }
  resumeFrom?: TaskCheckpoint | null
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

type InitMessage = { type: 'init'; backend: BackendChoice; workers?: number }
/** blasThreads: BLAS threads for the native kernels (cores ÷ busy workers; OpenBLAS' setting is process-wide). */
type ThreadsMessage = { type: 'threads'; blasThreads: number }
/** A job for a host whose train tasks are `T`; cancelFlag (Int32, a CancelCode) when the host shares memory with main. */
export type JobMessage<T> = { type: 'job'; jobId: number; task: T | ProbeTask; cancelFlag?: SharedArrayBuffer; blasThreads?: number }
/** A stop for a host that shares no memory with main. */
export type CancelMessage = { type: 'cancel'; jobId: number; mode: StopCode }

/** What a job host understands (jobHost.ts). */
export type ToHost<T> = InitMessage | ThreadsMessage | JobMessage<T> | CancelMessage

/** To a Node worker: tasks name their data folder, and cancellation is the shared flag (seen even inside an epoch). */
export type ToWorker = InitMessage | ThreadsMessage | (JobMessage<TrainTask> & { cancelFlag: SharedArrayBuffer })

/** To the page: train tasks carry their data, and cancellation comes as a message (seen between batches). */
export type ToPage = InitMessage | ThreadsMessage | JobMessage<PreparedTrainTask> | CancelMessage

export type FromWorker =
  | { type: 'ready'; backend: BackendInfo }
  | { type: 'init-failed'; message: string }
  | { type: 'progress'; jobId: number; progress: EngineProgress }
  | { type: 'data'; jobId: number; data: DataInfo }
  | { type: 'result'; jobId: number; result: TaskResult }
  | { type: 'error'; jobId: number; message: string; cancelled: boolean; code?: string }

/** From the page: the protocol, and its checkpoints for main to write (it cannot). */
export type FromPage = FromWorker | { type: 'checkpoint'; jobId: number; checkpoint: TaskCheckpoint }
