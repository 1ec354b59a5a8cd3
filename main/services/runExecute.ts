/**
 * Executing a stored run: its tasks train through the one training loop (taskLoop.ts) with a sink that writes
 * every epoch, result and status change to the store as it happens and tells the event bus; the run's final status
 * follows from how the loop ended (finished, failed, cancelled, or interrupted and resumable).
 */
import { rmSync } from 'node:fs'
import { type DatasetSchema, type RunConfig, type RunStatus, taskKey } from '../contract/index.ts'
import type { Store } from '../store/index.ts'
import type { RunOwner } from '../store/runs.ts'
import type { TrainingPool } from '../workers/pool.ts'
import type { EventBus } from './events.ts'
import type { DataLayout } from './layout.ts'
import type { ModelServices } from './models.ts'
import { ownerHeartbeat } from './runHousekeeping.ts'
import { TaskControl, runTaskLoop, type TaskSink } from './taskLoop.ts'

export interface RunContext {
  store: Store
  pool: TrainingPool
  bus: EventBus
  layout: DataLayout
  owner: RunOwner
  models?: ModelServices
}

interface ActiveRun {
  control: TaskControl
  settled: Promise<void>
}

const INTERRUPTED = 'Stopped before it finished; its progress is saved. Resume it with the Resume button or `iunet resume`.'

/** The store-backed sink of one run: epochs, data facts and results into the store, events onto the bus. */
function storeSink(ctx: RunContext, runId: string): TaskSink {
  const { store, bus } = ctx
  let lastProgressWrite = 0
  return {
    data: (d) => store.runs.setDataInfo(runId, d.classNames, d.imageShape),
    epoch: (_t, m) => store.results.addEpoch(runId, m),
    progress(p) {
      // Progress goes to the store at most twice a second: the UI gets every event anyway.
      if (Date.now() - lastProgressWrite > 500) {
        lastProgressWrite = Date.now()
        store.runs.setProgress(runId, p.runProgress)
      }
      bus.emit('run.progress', { runId, ...p })
    },
    finished({ task, res, results, firstLayer, runProgress }) {
      // The trained weights leave the worker with the result: kept as files for export and predict. Written before
      // the results, so a task whose results are stored always has its weights (a crash between the two reruns the
      // task on resume, which rewrites the same folders).
      try {
        ctx.models?.save(runId, res, task.fold)
      } catch (e) {
        console.warn(`could not keep the weights of ${task.model} (seed ${task.seed}): ${(e as Error).message}`)
      }
      store.transaction(() => {
        for (const r of results) store.results.saveResult(runId, r)
        for (const a of firstLayer) store.results.saveFirstLayer(runId, a)
      })
      store.runs.setProgress(runId, runProgress)
      for (const r of results) bus.emit('run.result', { runId, result: r })
      bus.emit('runs.changed', {})
    }
  }
}

export function runExecutor(ctx: RunContext) {
  const { store, bus, layout, owner } = ctx
  const active = new Map<string, ActiveRun>()
  const heartbeat = ownerHeartbeat(store, owner)

  function setStatus(runId: string, status: RunStatus, error: string | null = null) {
    store.runs.setStatus(runId, status, error)
    bus.emit('run.status', { runId, status, error })
    bus.emit('runs.changed', {})
  }

  /** Epochs stored per task (a resumed task counts them as done, within its budget). */
  function storedEpochs(runId: string): Map<string, number> {
    const n = new Map<string, number>()
    for (const m of store.results.metrics(runId)) n.set(taskKey(m), (n.get(taskKey(m)) ?? 0) + 1)
    return n
  }

  async function executeTasks(runId: string, control: TaskControl, config: RunConfig, datasetDir: string, schema: DatasetSchema, skip: Set<string>) {
    store.runs.claim(runId, owner)
    const info = await ctx.pool.backendInfo().catch(() => null)
    if (info) store.runs.setBackend(runId, info.name)
    setStatus(runId, 'running')
    const resumed = skip.size > 0 || !!store.runs.get(runId)?.startedAt
    const { failures } = await runTaskLoop({
      pool: ctx.pool,
      config,
      datasetDir,
      schema,
      checkpointDir: (t) => layout.taskCheckpoint(runId, t),
      sink: storeSink(ctx, runId),
      skip,
      doneEpochs: resumed ? storedEpochs(runId) : undefined,
      control
    })
    const dropCheckpoints = () => rmSync(layout.checkpoints(runId), { recursive: true, force: true })
    if (control.interrupted && !control.cancelled) setStatus(runId, 'interrupted', [INTERRUPTED, ...failures].join('\n'))
    else if (control.cancelled) {
      dropCheckpoints()
      setStatus(runId, 'cancelled', failures.length ? failures.join('\n') : null)
    } else if (failures.length) setStatus(runId, 'failed', failures.join('\n'))
    else {
      dropCheckpoints()
      store.runs.setProgress(runId, 1)
      setStatus(runId, 'finished')
    }
  }

  return {
    setStatus,
    isActive: (id: string) => active.has(id),
    /**
     * Trains run `runId` (stored, queued): tasks in `skip` are finished already; the others continue from their
     * checkpoints. Settles when the run has ended, whatever its status.
     */
    async execute(runId: string, config: RunConfig, datasetDir: string, schema: DatasetSchema, skip = new Set<string>()): Promise<void> {
      let settle!: () => void
      const run: ActiveRun = { control: new TaskControl(), settled: new Promise((r) => (settle = r)) }
      active.set(runId, run)
      heartbeat.sync(active.size)
      try {
        await executeTasks(runId, run.control, config, datasetDir, schema, skip)
      } finally {
        active.delete(runId)
        heartbeat.sync(active.size)
        settle()
      }
    },
    /** Cancels a run this process trains; false when it trains elsewhere or not at all. */
    cancel(id: string): boolean {
      const a = active.get(id)
      if (!a) return false
      a.control.cancel()
      return true
    },
    /** Asks every active run to checkpoint and stop (signals, app exit); resolves when they have. */
    async interruptAll(): Promise<void> {
      const runs = [...active.values()]
      for (const a of runs) a.control.interrupt()
      await Promise.all(runs.map((a) => a.settled))
    }
  }
}
export type RunExecutor = ReturnType<typeof runExecutor>
