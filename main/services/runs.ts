/**
 * Run services: a RunConfig becomes a stored run whose tasks (model × seed × fold) train on the worker pool, with
 * every epoch, result and status change written to the store as it happens. The parts, each in its own room:
 *   runStart.ts        defaults, estimate, validation, create, resume
 *   runExecute.ts      the run's tasks through the one training loop (taskLoop.ts) into the store
 *   runHousekeeping.ts heartbeat, finished tasks, the start-up sweep of checkpoints
 * This file puts them together and answers the calls that only read or remove.
 */
import { rmSync } from 'node:fs'
import { ApiError, type RunDetail, type RunSummary, isLive } from '../contract/index.ts'
import { iunetVsMlp } from './runComparisons.ts'
import { aggregateResults } from '../engine/metrics.ts'
import type { Store } from '../store/index.ts'
import { summaryOf } from '../store/datasets.ts'
import type { RunOwner, StoredRun } from '../store/runs.ts'
import type { TrainingPool } from '../workers/pool.ts'
import type { DatasetServices } from './datasets.ts'
import type { EventBus } from './events.ts'
import type { DataLayout } from './layout.ts'
import type { ModelServices } from './models.ts'
import { runExecutor } from './runExecute.ts'
import { sweepCheckpoints } from './runHousekeeping.ts'
import { runStarter, toSummary } from './runStart.ts'

export { HEARTBEAT_MS, STALE_MS } from './runHousekeeping.ts'

export function runServices(ctx: {
  store: Store
  pool: TrainingPool
  bus: EventBus
  datasets: DatasetServices
  layout: DataLayout
  owner: RunOwner
  models?: ModelServices
}) {
  const { store, bus, layout } = ctx
  const executor = runExecutor(ctx)
  const starter = runStarter({ ...ctx, executor })

  function getOrThrow(id: string): StoredRun {
    const r = store.runs.get(id)
    if (!r) throw new ApiError('not-found', `No run with id ${id}: it may have been deleted.`)
    return r
  }

  return {
    list: (): RunSummary[] => store.runs.list().map(toSummary),
    get(id: string): RunDetail {
      const r = getOrThrow(id)
      const d = store.datasets.get(r.datasetId)
      const results = store.results.results(id)
      // In the order the user listed the models, then by compression ratio.
      const aggregates = aggregateResults(results).sort(
        (a, b) => r.config.models.indexOf(a.model) - r.config.models.indexOf(b.model) || a.compression - b.compression
      )
      return {
        ...toSummary(r),
        config: r.config,
        dataset: d ? summaryOf(d) : null,
        results,
        aggregates,
        comparisons: iunetVsMlp({ config: r.config, results, aggregates }),
        classNames: r.classNames,
        imageShape: r.imageShape
      }
    },
    defaults: starter.defaults,
    estimate: starter.estimate,
    start: starter.start,
    resume: (id: string) => starter.resume(getOrThrow(id)),
    interruptAll: executor.interruptAll,
    /** Start-up: checkpoint folders nobody needs any more go (see runHousekeeping.ts). */
    sweepCheckpoints: () => sweepCheckpoints(store, layout),
    cancel(id: string) {
      const r = getOrThrow(id)
      // A run that is live in the store but not here has lost its owner: marked cancelled.
      if (!executor.cancel(id) && isLive(r.status)) executor.setStatus(id, 'cancelled')
      return { ok: true as const }
    },
    remove(id: string) {
      const r = getOrThrow(id)
      // A run 'running' in the store but not here trains in another process (the CLI, the app).
      if (executor.isActive(id) || isLive(r.status)) throw new ApiError('conflict', 'This run is still training: cancel it first, then delete it.')
      store.runs.delete(id)
      rmSync(layout.run(id), { recursive: true, force: true })
      bus.emit('runs.changed', {})
      return { ok: true as const }
    },
    metrics: (id: string) => (getOrThrow(id), store.results.metrics(id)),
    artifacts: (id: string) => (getOrThrow(id), store.results.firstLayers(id)),
    isActive: executor.isActive
  }
}
export type RunServices = ReturnType<typeof runServices>
