/**
 * A training worker: owns one tfjs backend, runs one task at a time and streams progress to main.
 * Cancellation arrives through a shared flag, because a training loop that never yields would not see a message.
 */
import { parentPort } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs-core'
import { initBackend } from '../engine/backend.ts'
import { setBlasThreads } from '../engine/kernels/native.ts'
import { runJob } from '../engine/pipeline.ts'
import { CancelledError, type PreparedData, type TaskCheckpoint } from '../engine/types.ts'
import { loadTaskCheckpoint, saveTaskCheckpoint } from './checkpoint.ts'
import { loadTable, prepare } from '../data/index.ts'
import type { SerializedPreprocessor } from '../data/preprocess.ts'
import { transferablesOf } from '../engine/export/trained.ts'
import { DEFAULT_CHECKPOINT_EVERY, type DataInfo, type FromWorker, type ProbeResult, type ProbeTask, type ToWorker, type TrainTask } from './protocol.ts'

const port = parentPort
if (!port) throw new Error('train.worker must run in a worker thread')
const send = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer)

// One dataset table and a few prepared splits stay cached: consecutive jobs of a run reuse them.
let cachedTable: { dir: string; table: Awaited<ReturnType<typeof loadTable>> } | null = null
const preparedCache = new Map<string, PreparedData & { preprocessor: SerializedPreprocessor }>()

async function preparedFor(task: TrainTask): Promise<PreparedData & { preprocessor: SerializedPreprocessor }> {
  const maxRows = task.config.maxRows ?? undefined
  const key = JSON.stringify([
    task.datasetDir,
    task.seed,
    task.fold ?? null,
    task.config.split,
    maxRows,
    task.schema.target,
    task.schema.columns.map((c) => [c.name, c.type, c.role])
  ])
  const hit = preparedCache.get(key)
  if (hit) return hit
  if (cachedTable?.dir !== task.datasetDir) cachedTable = { dir: task.datasetDir, table: await loadTable(task.datasetDir) }
  // The split and the preprocessing depend on the seed only: every model of a seed sees the same data.
  const prepared = prepare(cachedTable.table, task.schema, task.config.split, task.seed, { maxRows, fold: task.fold })
  if (preparedCache.size >= 4) preparedCache.delete(preparedCache.keys().next().value!)
  preparedCache.set(key, prepared)
  return prepared
}

async function runProbe(task: ProbeTask, jobId: number, cancelled: () => boolean): Promise<ProbeResult> {
  let checksum = 0
  for (let i = 0; i < task.steps; i++) {
    if (cancelled()) throw new CancelledError()
    checksum = tf.tidy(() => tf.sum(tf.matMul(tf.ones([8, 8]), tf.fill([8, 8], i + 1))).dataSync()[0]!)
    send({ type: 'progress', jobId, progress: { model: 'mlp', seed: 0, compression: 1, phase: 'train', epoch: i + 1, totalEpochs: task.steps, metrics: null } })
    await new Promise((r) => setTimeout(r, task.delayMs))
  }
  return { steps: task.steps, checksum }
}

port.on('message', async (msg: ToWorker) => {
  if (msg.type === 'init') {
    try {
      send({ type: 'ready', backend: await initBackend(msg.backend, { workers: msg.workers }) })
    } catch (e) {
      send({ type: 'init-failed', message: e instanceof Error ? e.message : String(e) })
    }
    return
  }
  if (msg.type === 'threads') {
    setBlasThreads(msg.blasThreads)
    return
  }
  if (msg.blasThreads) setBlasThreads(msg.blasThreads)
  const { jobId, task } = msg
  const flag = new Int32Array(msg.cancelFlag)
  const cancelled = () => Atomics.load(flag, 0) === 1
  try {
    if (task.kind === 'probe') {
      const result = await runProbe(task, jobId, cancelled)
      send({ type: 'result', jobId, result: { kind: 'probe', result } })
      return
    }
    const data = await preparedFor(task)
    const info: DataInfo = { classNames: data.classNames, imageShape: data.imageShape, trainRows: data.train.n }
    send({ type: 'data', jobId, data: info })
    const dir = task.checkpointDir
    const checkpoint = dir
      ? {
          load: () => loadTaskCheckpoint(dir),
          save: (c: TaskCheckpoint) => saveTaskCheckpoint(dir, c),
          everyEpochs: Math.max(1, task.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY),
          minSeconds: task.checkpointSeconds ?? 0,
          stopRequested: () => Atomics.load(flag, 0) === 2
        }
      : undefined
    const result = await runJob(
      { model: task.model, seed: task.seed, config: task.config, data },
      { onProgress: (progress) => send({ type: 'progress', jobId, progress }), isCancelled: cancelled, checkpoint }
    )
    // The trained weights move to main without a copy (their buffers are transferred).
    send({ type: 'result', jobId, result: { kind: 'train', result, data: info, preprocessor: data.preprocessor } }, transferablesOf(result.models ?? []))
  } catch (e) {
    const isCancel = e instanceof CancelledError || Atomics.load(flag, 0) !== 0
    const code = (e as { code?: string }).code
    send({ type: 'error', jobId, message: e instanceof Error ? e.message : String(e), cancelled: isCancel, code })
  }
})
