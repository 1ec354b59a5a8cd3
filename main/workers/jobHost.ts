/**
 * The worker side of the job protocol (protocol.ts), once for both hosts: a Node worker thread (train.worker.ts) and
 * the browser GPU page (gpu-trainer.ts). It sets up the backend, runs probes, and runs train jobs through the
 * engine with their progress, data, checkpoints, result or error reported on the port.
 *
 * What a host supplies (HostAdapter) is what differs between them:
 * - the backend (tfjs-node/wasm/Dawn in Node; Chromium's WebGPU or cpu in the page) and BLAS threads (Node only);
 * - a task's data (Node reads the data folder; the page gets it prepared with the task);
 * - where checkpoints go (Node writes the task's folder; the page posts them to main, which writes them).
 * Cancellation is read the same way from either transport: a job's shared flag when the message carries one (a Node
 * worker: seen inside an epoch, however long a batch loop runs), else the 'cancel' messages received for it.
 */
import * as tf from '@tensorflow/tfjs-core'
import type { BackendChoice, BackendInfo } from '../contract/index.ts'
import type { SerializedPreprocessor } from '../data/preprocess.ts'
import { transferablesOf } from '../engine/export/trained.ts'
import { runJob } from '../engine/pipeline.ts'
import { CancelledError, type CheckpointHooks, type PreparedData } from '../engine/types.ts'
import {
  CancelCode,
  DEFAULT_CHECKPOINT_EVERY,
  type DataInfo,
  type FromPage,
  type JobMessage,
  type ProbeResult,
  type ProbeTask,
  type StopCode,
  type ToHost,
  type TrainTask
} from './protocol.ts'

/** The fields of a train task the host reads itself (the adapter reads the rest: data folder or prepared split). */
export type HostedTrainTask = Pick<TrainTask, 'kind' | 'config' | 'model' | 'seed' | 'checkpointEvery' | 'checkpointSeconds'>

/** Where a task's checkpoints are loaded from and saved to (the engine polls for a stop itself). */
export type CheckpointStore = Pick<CheckpointHooks, 'load' | 'save'>

/** A task's prepared split with the preprocessing fitted on its training rows (kept with the trained models). */
export type HostData = PreparedData & { preprocessor?: SerializedPreprocessor }

/** A message channel in the host's terms: Node's parentPort, or the page's MessagePort. */
export interface HostPort<T> {
  send(message: FromPage, transfer?: ArrayBuffer[]): void
  onMessage(listener: (message: ToHost<T>) => void): void
}

export interface HostAdapter<T extends HostedTrainTask> {
  initBackend(choice: BackendChoice, workers?: number): Promise<BackendInfo>
  /** BLAS threads for the native kernels; hosts without them leave it out. */
  setThreads?(n: number): void
  /** The task's prepared split (the split and preprocessing depend on the seed and fold only). */
  prepare(task: T): HostData | Promise<HostData>
  /** Where the task's checkpoints live; null: it keeps none. */
  checkpoints(task: T, jobId: number): CheckpointStore | null
}

/** How a job's cancel state reads: the shared flag's value, or the last 'cancel' message (an unknown value cancels). */
export type CancelReader = () => CancelCode

function stopOf(code: number): 'run' | 'stop' | 'cancel' {
  if (code === CancelCode.run) return 'run'
  return code === CancelCode.checkpointAndStop ? 'stop' : 'cancel'
}

const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e))

/** The probe: a few matMuls on the backend with progress, honouring cancel. Reads asynchronously (GPU backends). */
export async function runProbe(task: ProbeTask, jobId: number, send: HostPort<never>['send'], code: CancelReader): Promise<ProbeResult> {
  let checksum = 0
  for (let i = 0; i < task.steps; i++) {
    if (stopOf(code()) !== 'run') throw new CancelledError()
    const t = tf.tidy(() => tf.sum(tf.matMul(tf.ones([8, 8]), tf.fill([8, 8], i + 1))))
    checksum = (await t.data())[0]!
    t.dispose()
    send({ type: 'progress', jobId, progress: { model: 'mlp', seed: 0, compression: 1, phase: 'train', epoch: i + 1, totalEpochs: task.steps, metrics: null } })
    await new Promise((r) => setTimeout(r, task.delayMs))
  }
  return { steps: task.steps, checksum }
}

/** Runs one job to its end: exactly one 'result' or 'error' message, after its progress (and data, checkpoints). */
export async function runHostedJob<T extends HostedTrainTask>(
  msg: JobMessage<T>,
  code: CancelReader,
  port: Pick<HostPort<T>, 'send'>,
  adapter: HostAdapter<T>
): Promise<void> {
  const { jobId, task } = msg
  const send = port.send
  try {
    if (task.kind === 'probe') {
      send({ type: 'result', jobId, result: { kind: 'probe', result: await runProbe(task, jobId, send, code) } })
      return
    }
    const data = await adapter.prepare(task)
    const info: DataInfo = { classNames: data.classNames, imageShape: data.imageShape, trainRows: data.train.n }
    send({ type: 'data', jobId, data: info })
    const store = adapter.checkpoints(task, jobId)
    const checkpoint: CheckpointHooks | undefined = store
      ? {
          load: () => store.load(),
          save: (c) => store.save(c),
          everyEpochs: Math.max(1, task.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY),
          minSeconds: task.checkpointSeconds ?? 0,
          stopRequested: () => stopOf(code()) === 'stop'
        }
      : undefined
    // With checkpoints a stop saves and ends inside the engine; without, it ends the job like a cancel.
    const isCancelled = () => {
      const s = stopOf(code())
      return s === 'cancel' || (s === 'stop' && !store)
    }
    const result = await runJob(
      { model: task.model, seed: task.seed, config: task.config, data },
      { onProgress: (progress) => send({ type: 'progress', jobId, progress }), isCancelled, checkpoint }
    )
    // The trained weights move to main without a copy (their buffers are transferred).
    send({ type: 'result', jobId, result: { kind: 'train', result, data: info, preprocessor: data.preprocessor } }, transferablesOf(result.models ?? []))
  } catch (e) {
    const cancelled = e instanceof CancelledError || stopOf(code()) !== 'run'
    send({ type: 'error', jobId, message: errorMessage(e), cancelled, code: (e as { code?: string }).code })
  }
}

/** Serves the protocol on `port`: one job at a time (main sends the next after this one's end), stops as they come. */
export function serveJobs<T extends HostedTrainTask>(port: HostPort<T>, adapter: HostAdapter<T>): void {
  const stops = new Map<number, StopCode>()
  port.onMessage(async (msg) => {
    switch (msg.type) {
      case 'init':
        try {
          port.send({ type: 'ready', backend: await adapter.initBackend(msg.backend, msg.workers) })
        } catch (e) {
          port.send({ type: 'init-failed', message: errorMessage(e) })
        }
        return
      case 'threads':
        adapter.setThreads?.(msg.blasThreads)
        return
      case 'cancel':
        stops.set(msg.jobId, msg.mode)
        return
      case 'job': {
        if (msg.blasThreads) adapter.setThreads?.(msg.blasThreads)
        const flag = msg.cancelFlag ? new Int32Array(msg.cancelFlag) : null
        const code: CancelReader = flag ? () => Atomics.load(flag, 0) as CancelCode : () => stops.get(msg.jobId) ?? CancelCode.run
        try {
          await runHostedJob(msg, code, port, adapter)
        } finally {
          stops.delete(msg.jobId)
        }
      }
    }
  })
}
