/**
 * The one training loop (services/taskLoop.ts) on a fake pool that answers each task at once: it schedules exactly
 * the config's runTasks minus the skipped ones, each with its own checkpoint folder; marks epochs and results with
 * the task's fold; counts progress in epochs against taskEpochs (a finished or resumed task counts as done); names a
 * failure with the task's label; removes a task's checkpoint only after the sink kept its results, and keeps it when
 * the sink fails; starts nothing once stopped.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  type EpochMetrics,
  type ModelResult,
  type RunConfig,
  type TaskId,
  defaultRunConfig,
  runTasks,
  taskEpochs,
  taskKey
} from '../../../main/contract/index.ts'
import { TaskControl, checkpointSeconds, runTaskLoop, type LoopProgress, type TaskOutcome, type TaskSink } from '../../../main/services/taskLoop.ts'
import type { TaskHandle } from '../../../main/workers/pool.ts'
import { DEFAULT_CHECKPOINT_SECONDS, type Task, type TaskResult } from '../../../main/workers/protocol.ts'

const root = mkdtempSync(join(tmpdir(), 'iunet-task-loop-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const config: RunConfig = {
  datasetId: 'd',
  ...defaultRunConfig('quick', { kind: 'tabular', rows: 150, nFeatures: 4, imageShape: null }),
  models: ['iunet', 'mlp'],
  seeds: 2,
  compressions: [4],
  epochs: 2,
  finetuneEpochs: 1,
  split: { train: 0.6, val: 0.2, test: 0.2, kfold: 3 }
}

/** A pool whose tasks report one epoch and a result (or fail) at once; it records what it was asked to run. */
function fakePool(fail: (t: TaskId) => boolean = () => false) {
  const asked: { task: TaskId; checkpointDir?: string; checkpointSeconds?: number }[] = []
  return {
    asked,
    run(task: Task, listener: { onProgress?: (p: never) => void; onData?: (d: never) => void } = {}): TaskHandle {
      if (task.kind !== 'train') throw new Error('train tasks only')
      const t = { model: task.model, seed: task.seed }
      asked.push({
        task: { ...t, ...(task.fold === undefined ? {} : { fold: task.fold }) },
        checkpointDir: task.checkpointDir,
        checkpointSeconds: task.checkpointSeconds
      })
      // What a worker does: write a checkpoint, report, answer (the engine knows seeds only: no fold in its output).
      if (task.checkpointDir) mkdirSync(task.checkpointDir, { recursive: true })
      const metrics = {
        ...t,
        compression: 1,
        phase: 'train',
        epoch: 1,
        trainLoss: 1,
        trainAccuracy: 0.5,
        valLoss: 1,
        valAccuracy: 0.5,
        contrastiveLoss: null,
        seconds: 0
      }
      listener.onData?.({ classNames: ['a', 'b'], imageShape: null, trainRows: 90 } as never)
      listener.onProgress?.({ ...t, compression: 1, phase: 'train', epoch: 1, totalEpochs: 2, metrics } as never)
      const result = { ...t, compression: 1, accuracy: 0.9 } as ModelResult
      const promise: Promise<TaskResult> = fail({ ...t, fold: task.fold })
        ? Promise.reject(Object.assign(new Error('out of memory'), { cancelled: false }))
        : Promise.resolve({ kind: 'train', result: { results: [result], firstLayer: [] }, data: { classNames: ['a', 'b'], imageShape: null, trainRows: 90 } })
      return { promise, cancel: () => undefined, interrupt: () => undefined }
    }
  }
}

function recordingSink(failOn?: (t: TaskId) => boolean) {
  const epochs: EpochMetrics[] = []
  const progress: LoopProgress[] = []
  const finished: TaskOutcome[] = []
  let data = 0
  const sink: TaskSink = {
    data: () => void data++,
    epoch: (_t, m) => void epochs.push(m),
    progress: (p) => void progress.push(p),
    finished(o) {
      if (failOn?.(o.task)) throw new Error('disk full')
      finished.push(o)
    }
  }
  return { sink, epochs, progress, finished, data: () => data }
}

const dirOf = (t: TaskId) => join(root, taskKey(t).replace(/\//g, '_'))

describe('runTaskLoop', () => {
  it('runs the config’s tasks minus the skipped, marked with their folds, with progress in epochs', async () => {
    const pool = fakePool()
    const rec = recordingSink()
    const tasks = runTasks(config)
    const skip = new Set([taskKey(tasks[0]!)])
    const { failures } = await runTaskLoop({ pool, config, datasetDir: 'x', schema: {} as never, checkpointDir: dirOf, sink: rec.sink, skip })
    expect(failures).toEqual([])
    expect(pool.asked.map((a) => taskKey(a.task))).toEqual(tasks.slice(1).map(taskKey))
    expect(pool.asked.every((a) => a.checkpointDir === dirOf(a.task))).toBe(true)
    expect(pool.asked.every((a) => a.checkpointSeconds === checkpointSeconds())).toBe(true)
    expect(rec.data()).toBe(1)
    // The fold reaches epochs, progress events and results although the engine's output has none.
    expect(rec.epochs.map(taskKey)).toEqual(tasks.slice(1).map(taskKey))
    expect(rec.progress.every((p, i) => p.fold === tasks[i + 1]!.fold)).toBe(true)
    expect(rec.finished.flatMap((o) => o.results.map(taskKey))).toEqual(tasks.slice(1).map(taskKey))
    // Progress: the skipped task counts as done; each epoch adds 1 / total budget.
    const total = tasks.reduce((n, t) => n + taskEpochs(t.model, config), 0)
    expect(rec.progress[0]!.runProgress).toBeCloseTo((taskEpochs('iunet', config) + 1) / total, 12)
    expect(rec.finished.at(-1)!.runProgress).toBe(1)
    // Kept by the sink: checkpoints gone.
    for (const t of tasks.slice(1)) expect(existsSync(dirOf(t))).toBe(false)
  })

  it('names failures with the task label; a sink that cannot keep results leaves the checkpoint', async () => {
    const failing = (t: TaskId) => t.model === 'mlp' && t.seed === 1 && t.fold === 2
    const unkept = (t: TaskId) => t.model === 'iunet' && t.seed === 0 && t.fold === 1
    const rec = recordingSink(unkept)
    const { failures } = await runTaskLoop({ pool: fakePool(failing), config, datasetDir: 'x', schema: {} as never, checkpointDir: dirOf, sink: rec.sink })
    expect(failures).toEqual(['IUNet (pruned) · seed 0 · fold 2/3: its results could not be kept: disk full', 'Dense MLP · seed 1 · fold 3/3: out of memory'])
    expect(existsSync(dirOf({ model: 'iunet', seed: 0, fold: 1 }))).toBe(true)
    expect(rec.finished).toHaveLength(runTasks(config).length - 2)
  })

  it('reads the checkpoint time floor from IUNET_CHECKPOINT_SECONDS (0 allowed), else the default', () => {
    const before = process.env.IUNET_CHECKPOINT_SECONDS
    try {
      const at = (v: string | undefined) => {
        if (v === undefined) delete process.env.IUNET_CHECKPOINT_SECONDS
        else process.env.IUNET_CHECKPOINT_SECONDS = v
        return checkpointSeconds()
      }
      expect([at(undefined), at('0'), at('2.5'), at(''), at('-1'), at('x')]).toEqual([
        DEFAULT_CHECKPOINT_SECONDS,
        0,
        2.5,
        DEFAULT_CHECKPOINT_SECONDS,
        DEFAULT_CHECKPOINT_SECONDS,
        DEFAULT_CHECKPOINT_SECONDS
      ])
    } finally {
      if (before === undefined) delete process.env.IUNET_CHECKPOINT_SECONDS
      else process.env.IUNET_CHECKPOINT_SECONDS = before
    }
  })

  it('starts nothing once stopped', async () => {
    const pool = fakePool()
    const control = new TaskControl()
    control.interrupt()
    await runTaskLoop({ pool, config, datasetDir: 'x', schema: {} as never, checkpointDir: dirOf, sink: recordingSink().sink, control })
    expect(pool.asked).toEqual([])
  })
})
