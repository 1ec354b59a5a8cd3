/**
 * Run services: turn a RunConfig into one training task per (model, seed[, fold]), schedule them on the worker pool,
 * and write every epoch, result and status change to the store as it happens.
 */
import { randomUUID } from 'node:crypto'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import {
  ApiError,
  RECIPES,
  type Preset,
  type RunConfig,
  type RunDetail,
  type RunStatus,
  type RunSummary,
  defaultRunConfig,
  estimateSeconds,
  runRuleIssues,
  runTasks,
  taskEpochs,
  taskKey,
  taskLabel,
  withFold
} from '../contract/index.ts'
import { applyOverrides, loadTable } from '../data/index.ts'
import { aggregateResults } from '../engine/metrics.ts'
import type { Store } from '../store/index.ts'
import type { RunOwner, StoredRun } from '../store/runs.ts'
import { summaryOf } from '../store/datasets.ts'
import type { TaskHandle, TrainingPool } from '../workers/pool.ts'
import { checkpointsRoot, removeTempFiles, runDir, taskCheckpointDir, taskDirName } from '../workers/checkpoint.ts'
import { DEFAULT_CHECKPOINT_EVERY } from '../workers/protocol.ts'
import type { EventBus } from './events.ts'
import type { ModelServices } from './models.ts'
import type { DatasetServices } from './datasets.ts'

function toSummary(r: StoredRun): RunSummary {
  const { config: _c, classNames: _n, imageShape: _s, ...summary } = r
  return summary
}

interface ActiveRun {
  handles: TaskHandle[]
  cancelled: boolean
  /** Stopped by interruptAll (a signal, the app closing): checkpoints saved, resumable. */
  interrupted: boolean
  settled: Promise<void>
}

/** A live owner beats this often; a run whose owner has been silent for STALE_MS counts as orphaned. */
export const HEARTBEAT_MS = 5000
export const STALE_MS = 30_000

/** Checkpoint every this many epochs inside a phase (IUNET_CHECKPOINT_EVERY overrides; phase ends always). */
function checkpointEvery(): number {
  const n = Number(process.env.IUNET_CHECKPOINT_EVERY)
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_CHECKPOINT_EVERY
}

export function runServices(ctx: {
  store: Store
  pool: TrainingPool
  bus: EventBus
  datasets: DatasetServices
  dataDir: string
  owner: RunOwner
  models?: ModelServices
}) {
  const { store, pool, bus, datasets, dataDir, owner } = ctx
  const active = new Map<string, ActiveRun>()
  let heartbeat: ReturnType<typeof setInterval> | null = null

  /** Heartbeats while this process runs anything, so other processes see the runs are alive. */
  function syncHeartbeat() {
    if (active.size > 0 && !heartbeat) {
      heartbeat = setInterval(() => {
        try {
          store.runs.heartbeat(owner.instance)
        } catch {
          // The store is closing; the next start judges the runs by pid and heartbeat age anyway.
        }
      }, HEARTBEAT_MS)
      heartbeat.unref()
    } else if (active.size === 0 && heartbeat) {
      clearInterval(heartbeat)
      heartbeat = null
    }
  }

  /** (model, seed) tasks of a run whose results are all stored (every ratio of a pruned row). */
  function finishedTasks(runId: string, config: RunConfig): Set<string> {
    const have = new Set(store.results.results(runId).map((r) => `${taskKey(r)}@${r.compression}`))
    const ratios = [...new Set(config.compressions)]
    const out = new Set<string>()
    for (const t of runTasks(config)) {
      const key = taskKey(t)
      const need = RECIPES[t.model].prune ? ratios : [1]
      if (need.every((r) => have.has(`${key}@${r}`))) out.add(key)
    }
    return out
  }

  const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true })

  function getOrThrow(id: string): StoredRun {
    const r = store.runs.get(id)
    if (!r) throw new ApiError('not-found', `No run with id ${id}: it may have been deleted.`)
    return r
  }

  function presetData(datasetId: string) {
    const d = datasets.getOrThrow(datasetId)
    const nFeatures =
      d.kind === 'image' && d.imageShape ? d.imageShape[0] * d.imageShape[1] * d.imageShape[2] : d.schema.columns.filter((c) => c.role === 'feature').length
    return { kind: d.kind, rows: d.rows, nFeatures, imageShape: d.imageShape, format: d.schema.format }
  }

  function setStatus(runId: string, status: RunStatus, error: string | null = null) {
    store.runs.setStatus(runId, status, error)
    bus.emit('run.status', { runId, status, error })
    bus.emit('runs.changed', {})
  }

  /** Rejects combinations that cannot run, before anything is stored. */
  async function validate(config: RunConfig) {
    const d = datasets.getOrThrow(config.datasetId)
    const problems = runRuleIssues(config, [{ name: d.name, kind: d.kind, rows: d.rows, publishedSplit: !!d.schema.publishedSplit }])
    if (problems.length)
      throw new ApiError(
        'invalid-request',
        problems.map((p) => p.sentence).join(' '),
        problems.map((p) => p.sentence)
      )
    const changesTarget = config.target !== undefined && config.target !== d.schema.target
    // A new target needs its classes counted, which takes the table.
    const table = changesTarget || config.columns?.some((c) => c.role === 'target') ? await loadTable(d.storageDir) : undefined
    const schema = applyOverrides(d.schema, { target: config.target, columns: config.columns }, table)
    return { dataset: d, schema }
  }

  async function execute(
    runId: string,
    config: RunConfig,
    storageDir: string,
    schema: Awaited<ReturnType<typeof validate>>['schema'],
    skip = new Set<string>()
  ) {
    let settle!: () => void
    const run: ActiveRun = { handles: [], cancelled: false, interrupted: false, settled: new Promise((r) => (settle = r)) }
    active.set(runId, run)
    syncHeartbeat()
    try {
      await executeTasks(runId, run, config, storageDir, schema, skip)
    } finally {
      active.delete(runId)
      syncHeartbeat()
      settle()
    }
  }

  async function executeTasks(
    runId: string,
    run: ActiveRun,
    config: RunConfig,
    storageDir: string,
    schema: Awaited<ReturnType<typeof validate>>['schema'],
    skip: Set<string>
  ) {
    store.runs.claim(runId, owner)
    const info = await pool.backendInfo().catch(() => null)
    if (info) store.runs.setBackend(runId, info.name)
    setStatus(runId, 'running')
    // One task per model × seed (× fold with repeated k-fold).
    const tasks = runTasks(config)
    const weights = tasks.map((t) => taskEpochs(t.model, config))
    const total = weights.reduce((a, b) => a + b, 0)
    // Tasks finished before a restart count as done and are not run again (their results are stored); resumed
    // ones start from the epochs already stored (those after their checkpoint are counted again, within the cap).
    const stored = new Map<string, number>()
    if (skip.size || store.runs.get(runId)?.startedAt) {
      for (const m of store.results.metrics(runId)) stored.set(taskKey(m), (stored.get(taskKey(m)) ?? 0) + 1)
    }
    const done = tasks.map((t, i) => (skip.has(taskKey(t)) ? weights[i]! : Math.min(weights[i]!, stored.get(taskKey(t)) ?? 0)))
    const started = Date.now()
    let lastProgressWrite = 0
    let dataInfoSaved = false
    const failures: string[] = []

    const progressOf = () => done.reduce((a, b) => a + b, 0) / total

    await Promise.all(
      tasks.map((t, i) => {
        if (skip.has(taskKey(t)) || run.cancelled || run.interrupted) return undefined
        const seedDir = taskCheckpointDir(dataDir, runId, t.model, t.seed)
        const checkpointDir = t.fold === undefined ? seedDir : join(seedDir, `fold${t.fold}`)
        const handle = pool.run(
          {
            kind: 'train',
            datasetDir: storageDir,
            schema,
            config,
            model: t.model,
            seed: t.seed,
            fold: t.fold,
            checkpointDir,
            checkpointEvery: checkpointEvery()
          },
          {
            onData: (d) => {
              if (dataInfoSaved) return
              dataInfoSaved = true
              store.runs.setDataInfo(runId, d.classNames, d.imageShape)
            },
            onProgress: (engineProgress) => {
              // The engine knows seeds only: the task's fold is added here.
              const p =
                t.fold === undefined
                  ? engineProgress
                  : { ...engineProgress, fold: t.fold, metrics: engineProgress.metrics && withFold(engineProgress.metrics, t.fold) }
              if (p.metrics) {
                store.results.addEpoch(runId, p.metrics)
                done[i] = Math.min(weights[i]!, done[i]! + 1)
              }
              const fraction = progressOf()
              const elapsed = (Date.now() - started) / 1000
              const eta = fraction > 0.02 ? (elapsed / fraction) * (1 - fraction) : null
              // Progress goes to the store at most twice a second: the UI gets every event anyway.
              if (Date.now() - lastProgressWrite > 500) {
                lastProgressWrite = Date.now()
                store.runs.setProgress(runId, fraction)
              }
              bus.emit('run.progress', { runId, ...p, runProgress: fraction, etaSeconds: eta })
            }
          }
        )
        run.handles.push(handle)
        return handle.promise.then(
          (res) => {
            if (res.kind !== 'train') return
            const results = res.result.results.map((r) => withFold(r, t.fold))
            // The trained weights leave the worker with the result: kept as files for export and predict. Written
            // before the results, so a task whose results are stored always has its weights (a crash between the
            // two reruns the task on resume, which rewrites the same folders).
            try {
              ctx.models?.save(runId, res, t.fold)
            } catch (e) {
              console.warn(`could not keep the weights of ${t.model} (seed ${t.seed}): ${(e as Error).message}`)
            }
            store.transaction(() => {
              for (const r of results) store.results.saveResult(runId, r)
              for (const a of res.result.firstLayer) store.results.saveFirstLayer(runId, withFold(a, t.fold))
            })
            // Stored: the checkpoint is no longer needed (a crash before this line leaves it for the start-up sweep).
            removeDir(checkpointDir)
            done[i] = weights[i]!
            store.runs.setProgress(runId, progressOf())
            for (const r of results) bus.emit('run.result', { runId, result: r })
            bus.emit('runs.changed', {})
          },
          (e: Error & { cancelled?: boolean }) => {
            if (!e.cancelled) failures.push(`${taskLabel(t, config)}: ${e.message}`)
          }
        )
      })
    )
    if (run.interrupted && !run.cancelled) {
      const why = 'Stopped before it finished; its progress is saved. Resume it with the Resume button or `iunet resume`.'
      setStatus(runId, 'interrupted', [why, ...failures].join('\n'))
    } else if (run.cancelled) {
      removeDir(checkpointsRoot(dataDir, runId))
      setStatus(runId, 'cancelled', failures.length ? failures.join('\n') : null)
    } else if (failures.length) setStatus(runId, 'failed', failures.join('\n'))
    else {
      removeDir(checkpointsRoot(dataDir, runId))
      store.runs.setProgress(runId, 1)
      setStatus(runId, 'finished')
    }
  }

  /**
   * Start-up housekeeping (after orphaned runs are marked interrupted): checkpoint folders of deleted runs go,
   * finished and cancelled runs keep none, resumable runs keep only their unfinished tasks', and temp files a
   * crash left behind are removed. Runs a live process owns are not touched.
   */
  function sweepCheckpoints(): { removed: number } {
    const root = join(dataDir, 'runs')
    if (!existsSync(root)) return { removed: 0 }
    let removed = 0
    for (const e of readdirSync(root, { withFileTypes: true })) {
      if (!e.isDirectory()) continue
      const r = store.runs.get(e.name)
      if (!r) {
        removeDir(runDir(dataDir, e.name))
        removed++
        continue
      }
      if (r.status === 'running' || r.status === 'queued') continue
      const ckRoot = checkpointsRoot(dataDir, r.id)
      if (!existsSync(ckRoot)) continue
      if (r.status === 'finished' || r.status === 'cancelled') {
        removeDir(ckRoot)
        removed++
        continue
      }
      removed += removeTempFiles(ckRoot)
      // Kept: the folders of unfinished tasks (<model>__seed<s>, or <model>__seed<s>/fold<f> with k-fold).
      const finished = finishedTasks(r.id, r.config)
      const unfinished = runTasks(r.config).filter((t) => !finished.has(taskKey(t)))
      const wanted = new Set(unfinished.map((t) => taskDirName(t.model, t.seed)))
      const wantedFolds = new Set(unfinished.filter((t) => t.fold !== undefined).map((t) => join(taskDirName(t.model, t.seed), `fold${t.fold}`)))
      for (const t of readdirSync(ckRoot)) {
        if (!wanted.has(t)) {
          removeDir(join(ckRoot, t))
          removed++
          continue
        }
        if (r.config.split.kfold) {
          for (const f of readdirSync(join(ckRoot, t))) {
            if (!wantedFolds.has(join(t, f))) {
              removeDir(join(ckRoot, t, f))
              removed++
            }
          }
        }
      }
    }
    return { removed }
  }

  return {
    list: (): RunSummary[] => store.runs.list().map(toSummary),
    get(id: string): RunDetail {
      const r = getOrThrow(id)
      const d = store.datasets.get(r.datasetId)
      const results = store.results.results(id)
      return {
        ...toSummary(r),
        config: r.config,
        dataset: d ? summaryOf(d) : null,
        results,
        // In the order the user listed the models, then by compression ratio.
        aggregates: aggregateResults(results).sort(
          (a, b) => r.config.models.indexOf(a.model) - r.config.models.indexOf(b.model) || a.compression - b.compression
        ),
        classNames: r.classNames,
        imageShape: r.imageShape
      }
    },
    defaults(datasetId: string, preset: Preset): RunConfig {
      return { datasetId, ...defaultRunConfig(preset, presetData(datasetId)) }
    },
    estimate(config: RunConfig) {
      const bench = store.settings.bench()
      return { seconds: estimateSeconds(config, presetData(config.datasetId), bench), basis: bench ? ('bench' as const) : ('default' as const) }
    },
    /** Stores the run and starts it; resolves once it is queued. `finished` settles when it ends. */
    async start(config: RunConfig): Promise<{ summary: RunSummary; finished: Promise<void> }> {
      const { dataset, schema } = await validate(config)
      const id = randomUUID()
      const name = config.name?.trim() || `${dataset.name} · ${config.models.length} models · ${config.preset}`
      const backend = pool.cachedBackend?.name ?? 'pending'
      const stored = store.runs.create({ id, name, config, backend, owner })
      bus.emit('runs.changed', {})
      const finished = execute(id, config, dataset.storageDir, schema).catch((e: Error) => {
        setStatus(id, 'failed', e.message)
      })
      return { summary: toSummary(stored), finished }
    },
    /**
     * Continues an interrupted or failed run: finished tasks are skipped (their results are stored), the others
     * continue from their last checkpoint, so the final numbers equal an uninterrupted run's.
     */
    async resume(id: string): Promise<{ summary: RunSummary; finished: Promise<void> }> {
      const r = getOrThrow(id)
      if (active.has(id) || r.status === 'running' || r.status === 'queued')
        throw new ApiError('conflict', 'This run is still in progress; only interrupted or failed runs can be resumed.')
      if (r.status !== 'interrupted' && r.status !== 'failed')
        throw new ApiError('conflict', `This run is ${r.status}; only interrupted or failed runs can be resumed.`)
      if (!store.datasets.get(r.datasetId)) throw new ApiError('not-found', 'The dataset of this run was deleted, so it cannot be resumed.')
      const { dataset, schema } = await validate(r.config)
      const skip = finishedTasks(id, r.config)
      store.runs.claim(id, owner)
      setStatus(id, 'queued')
      const finished = execute(id, r.config, dataset.storageDir, schema, skip).catch((e: Error) => {
        setStatus(id, 'failed', e.message)
      })
      return { summary: toSummary(getOrThrow(id)), finished }
    },
    /** Asks every active run to checkpoint and stop (signals, app exit); resolves when they have. */
    async interruptAll(): Promise<void> {
      const runs = [...active.values()]
      for (const a of runs) {
        a.interrupted = true
        for (const h of a.handles) h.interrupt()
      }
      await Promise.all(runs.map((a) => a.settled))
    },
    sweepCheckpoints,
    cancel(id: string) {
      const r = getOrThrow(id)
      const a = active.get(id)
      if (!a) {
        if (r.status === 'running' || r.status === 'queued') setStatus(id, 'cancelled')
        return { ok: true as const }
      }
      a.cancelled = true
      for (const h of a.handles) h.cancel()
      return { ok: true as const }
    },
    remove(id: string) {
      const r = getOrThrow(id)
      // A run 'running' in the store but not here trains in another process (the CLI, the app).
      if (active.has(id) || r.status === 'running' || r.status === 'queued')
        throw new ApiError('conflict', 'This run is still training: cancel it first, then delete it.')
      store.runs.delete(id)
      removeDir(runDir(dataDir, id))
      bus.emit('runs.changed', {})
      return { ok: true as const }
    },
    metrics: (id: string) => (getOrThrow(id), store.results.metrics(id)),
    artifacts: (id: string) => (getOrThrow(id), store.results.firstLayers(id)),
    isActive: (id: string) => active.has(id)
  }
}
export type RunServices = ReturnType<typeof runServices>
