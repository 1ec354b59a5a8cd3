/**
 * Run services: turn a RunConfig into one training task per (model, seed), schedule them on the worker pool,
 * and write every epoch, result and status change to the store as it happens.
 */
import { randomUUID } from 'node:crypto'
import {
  ApiError,
  expectedEpochs,
  IMAGE_ONLY_MODELS,
  MODEL_LABELS,
  type Preset,
  type RunConfig,
  type RunDetail,
  type RunStatus,
  type RunSummary
} from '../contract/index.ts'
import { applyOverrides, loadTable } from '../data/index.ts'
import { defaultRunConfig, estimateSeconds } from '../engine/presets.ts'
import { aggregateResults } from '../engine/metrics.ts'
import type { Store } from '../store/index.ts'
import type { StoredRun } from '../store/runs.ts'
import { summaryOf } from '../store/datasets.ts'
import type { TaskHandle, TrainingPool } from '../workers/pool.ts'
import type { EventBus } from './events.ts'
import type { DatasetServices } from './datasets.ts'


function toSummary(r: StoredRun): RunSummary {
  const { config: _c, classNames: _n, imageShape: _s, ...summary } = r
  return summary
}

interface ActiveRun {
  handles: TaskHandle[]
  cancelled: boolean
}

export function runServices(ctx: { store: Store; pool: TrainingPool; bus: EventBus; datasets: DatasetServices }) {
  const { store, pool, bus, datasets } = ctx
  const active = new Map<string, ActiveRun>()

  function getOrThrow(id: string): StoredRun {
    const r = store.runs.get(id)
    if (!r) throw new ApiError('not-found', `No run with id ${id}: it may have been deleted.`)
    return r
  }

  function presetData(datasetId: string) {
    const d = datasets.getOrThrow(datasetId)
    const nFeatures = d.kind === 'image' && d.imageShape ? d.imageShape[0] * d.imageShape[1] * d.imageShape[2] : d.schema.columns.filter((c) => c.role === 'feature').length
    return { kind: d.kind, rows: d.rows, nFeatures, imageShape: d.imageShape }
  }

  function setStatus(runId: string, status: RunStatus, error: string | null = null) {
    store.runs.setStatus(runId, status, error)
    bus.emit('run.status', { runId, status, error })
    bus.emit('runs.changed', {})
  }

  /** Rejects combinations that cannot run, before anything is stored. */
  async function validate(config: RunConfig) {
    const d = datasets.getOrThrow(config.datasetId)
    if (d.kind !== 'image') {
      const bad = config.models.filter((m) => IMAGE_ONLY_MODELS.includes(m))
      if (bad.length) {
        throw new ApiError('invalid-request', `${bad.map((m) => MODEL_LABELS[m]).join(', ')} needs image data; "${d.name}" is tabular. Use the tabular ResNet ("resnet") instead.`)
      }
    }
    const changesTarget = config.target !== undefined && config.target !== d.schema.target
    // A new target needs its classes counted, which takes the table.
    const table = changesTarget || config.columns?.some((c) => c.role === 'target') ? await loadTable(d.storageDir) : undefined
    const schema = applyOverrides(d.schema, { target: config.target, columns: config.columns }, table)
    return { dataset: d, schema }
  }

  async function execute(runId: string, config: RunConfig, storageDir: string, schema: Awaited<ReturnType<typeof validate>>['schema']) {
    const run: ActiveRun = { handles: [], cancelled: false }
    active.set(runId, run)
    const info = await pool.backendInfo().catch(() => null)
    if (info) store.runs.setBackend(runId, info.name)
    setStatus(runId, 'running')
    const tasks = Array.from({ length: config.seeds }, (_, s) => s).flatMap((seed) => config.models.map((model) => ({ model, seed })))
    const weights = tasks.map((t) => expectedEpochs(t.model, config))
    const total = weights.reduce((a, b) => a + b, 0)
    const done = tasks.map(() => 0)
    const started = Date.now()
    let lastProgressWrite = 0
    let dataInfoSaved = false
    const failures: string[] = []

    const progressOf = () => done.reduce((a, b) => a + b, 0) / total

    await Promise.all(
      tasks.map((t, i) => {
        const handle = pool.run(
          { kind: 'train', datasetDir: storageDir, schema, config, model: t.model, seed: t.seed },
          {
            onData: (d) => {
              if (dataInfoSaved) return
              dataInfoSaved = true
              store.runs.setDataInfo(runId, d.classNames, d.imageShape)
            },
            onProgress: (p) => {
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
            store.transaction(() => {
              for (const r of res.result.results) store.results.saveResult(runId, r)
              for (const a of res.result.firstLayer) store.results.saveFirstLayer(runId, a)
            })
            done[i] = weights[i]!
            store.runs.setProgress(runId, progressOf())
            for (const r of res.result.results) bus.emit('run.result', { runId, result: r })
            bus.emit('runs.changed', {})
          },
          (e: Error & { cancelled?: boolean }) => {
            if (!e.cancelled) failures.push(`${MODEL_LABELS[t.model]} (seed ${t.seed}): ${e.message}`)
          }
        )
      })
    )
    active.delete(runId)
    if (run.cancelled) setStatus(runId, 'cancelled', failures.length ? failures.join('\n') : null)
    else if (failures.length) setStatus(runId, 'failed', failures.join('\n'))
    else {
      store.runs.setProgress(runId, 1)
      setStatus(runId, 'finished')
    }
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
        aggregates: aggregateResults(results).sort((a, b) => r.config.models.indexOf(a.model) - r.config.models.indexOf(b.model) || a.compression - b.compression),
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
      const stored = store.runs.create({ id, name, config, backend })
      bus.emit('runs.changed', {})
      const finished = execute(id, config, dataset.storageDir, schema).catch((e: Error) => {
        active.delete(id)
        setStatus(id, 'failed', e.message)
      })
      return { summary: toSummary(stored), finished }
    },
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
      if (active.has(id) || r.status === 'running' || r.status === 'queued') throw new ApiError('conflict', 'This run is still training: cancel it first, then delete it.')
      store.runs.delete(id)
      bus.emit('runs.changed', {})
      return { ok: true as const }
    },
    metrics: (id: string) => (getOrThrow(id), store.results.metrics(id)),
    artifacts: (id: string) => (getOrThrow(id), store.results.firstLayers(id)),
    isActive: (id: string) => active.has(id)
  }
}
export type RunServices = ReturnType<typeof runServices>
