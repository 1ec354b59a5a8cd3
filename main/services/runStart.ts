/**
 * Starting a run: a config's defaults and estimate, its validation against the dataset (contract runRuleIssues),
 * storing it, and starting (or resuming) its execution. Nothing is stored for a config that cannot run.
 */
import { randomUUID } from 'node:crypto'
import {
  ApiError,
  type DatasetSchema,
  type Preset,
  type RunConfig,
  type RunSummary,
  defaultRunConfig,
  estimateSeconds,
  isLive,
  isResumable,
  runRuleIssues
} from '../contract/index.ts'
import { applyOverrides, loadTable } from '../data/index.ts'
import type { StoredRun } from '../store/runs.ts'
import type { DatasetServices } from './datasets.ts'
import type { RunContext, RunExecutor } from './runExecute.ts'
import { finishedTasks } from './runHousekeeping.ts'

export function toSummary(r: StoredRun): RunSummary {
  const { config: _c, classNames: _n, imageShape: _s, ...summary } = r
  return summary
}

/** The schema a run of `config` trains with: the stored one with the config's target and column overrides. */
export async function resolvedSchema(schema: DatasetSchema, storageDir: string, config: RunConfig): Promise<DatasetSchema> {
  const changesTarget = config.target !== undefined && config.target !== schema.target
  // A new target needs its classes counted, which takes the table.
  const table = changesTarget || config.columns?.some((c) => c.role === 'target') ? await loadTable(storageDir) : undefined
  return applyOverrides(schema, { target: config.target, columns: config.columns }, table)
}

export function runStarter(ctx: RunContext & { datasets: DatasetServices; executor: RunExecutor }) {
  const { store, bus, datasets, executor, owner } = ctx

  function presetData(datasetId: string) {
    const d = datasets.getOrThrow(datasetId)
    const nFeatures =
      d.kind === 'image' && d.imageShape ? d.imageShape[0] * d.imageShape[1] * d.imageShape[2] : d.schema.columns.filter((c) => c.role === 'feature').length
    return { kind: d.kind, rows: d.rows, nFeatures, imageShape: d.imageShape, format: d.schema.format, publishedTrain: d.schema.publishedSplit?.train }
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
    return { dataset: d, schema: await resolvedSchema(d.schema, d.storageDir, config) }
  }

  /** Executes in the background; an error the loop did not catch fails the run with its message. */
  function launch(id: string, config: RunConfig, storageDir: string, schema: DatasetSchema, skip?: Set<string>): Promise<void> {
    return executor.execute(id, config, storageDir, schema, skip).catch((e: Error) => {
      executor.setStatus(id, 'failed', e.message)
    })
  }

  return {
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
      const backend = ctx.pool.cachedBackend?.name ?? 'pending'
      const stored = store.runs.create({ id, name, config, backend, owner })
      bus.emit('runs.changed', {})
      return { summary: toSummary(stored), finished: launch(id, config, dataset.storageDir, schema) }
    },
    /**
     * Continues an interrupted or failed run: finished tasks are skipped (their results are stored), the others
     * continue from their last checkpoint, so the final numbers equal an uninterrupted run's.
     */
    async resume(r: StoredRun): Promise<{ summary: RunSummary; finished: Promise<void> }> {
      const id = r.id
      if (executor.isActive(id) || isLive(r.status))
        throw new ApiError('conflict', 'This run is still in progress; only interrupted or failed runs can be resumed.')
      if (!isResumable(r.status)) throw new ApiError('conflict', `This run is ${r.status}; only interrupted or failed runs can be resumed.`)
      if (!store.datasets.get(r.datasetId)) throw new ApiError('not-found', 'The dataset of this run was deleted, so it cannot be resumed.')
      const { dataset, schema } = await validate(r.config)
      const skip = finishedTasks(store, id, r.config)
      store.runs.claim(id, owner)
      executor.setStatus(id, 'queued')
      const finished = launch(id, r.config, dataset.storageDir, schema, skip)
      return { summary: toSummary(store.runs.get(id)!), finished }
    }
  }
}
